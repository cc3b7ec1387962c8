using System.Numerics;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>
/// Computes the pod × pod reachability matrix of a cluster with exact NetworkPolicy semantics.
/// </summary>
/// <remarks>
/// Pods are first grouped by (namespace, labels, named ports); each group is evaluated once against every
/// policy selector and every rule peer, which gives it a signature bitset. Groups with equal signatures are
/// indistinguishable to every policy and become one equivalence class. The matrix is then filled per class
/// pair: for each destination its ingress rules are walked over their peer bitsets, for each source its egress
/// rules, and the two are intersected. Cells are interned port-set ids, so unions are memoised lookups.
/// </remarks>
public static class KubernetesAnalyzer
{
    public static ReachabilityMatrix Analyze(ClusterModel cluster)
    {
        var policies = cluster.Policies;

        // 1. Label groups: pods that look identical to any selector and resolve named ports identically.
        var groupIndex = new Dictionary<(string Ns, LabelSet Labels, string Ports), int>();
        var groupOfPod = new int[cluster.Pods.Count];
        var groupReps = new List<KubePod>();
        for (var i = 0; i < cluster.Pods.Count; i++)
        {
            var pod = cluster.Pods[i];
            var key = (pod.Namespace, pod.Labels, NamedPortKey(pod.Ports));
            if (!groupIndex.TryGetValue(key, out var g))
            {
                g = groupReps.Count;
                groupIndex[key] = g;
                groupReps.Add(pod);
            }
            groupOfPod[i] = g;
        }
        var groupsByNs = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var g = 0; g < groupReps.Count; g++)
        {
            if (!groupsByNs.TryGetValue(groupReps[g].Namespace, out var list)) groupsByNs[groupReps[g].Namespace] = list = [];
            list.Add(g);
        }

        // 2. Features: "selected by policy p" and "member of peer k". Evaluate only where a match is possible.
        var peers = new List<(NetworkPolicy Policy, PolicyPeer Peer)>();
        foreach (var p in policies)
        {
            foreach (var r in p.Ingress.Concat(p.Egress))
            {
                foreach (var peer in r.Peers ?? []) peers.Add((p, peer));
            }
        }
        var featureCount = policies.Count + peers.Count;
        var words = (featureCount + 63) / 64;
        var signature = new ulong[groupReps.Count * words];
        void Set(int group, int feature) => signature[(group * words) + (feature >> 6)] |= 1UL << (feature & 63);

        for (var pi = 0; pi < policies.Count; pi++)
        {
            var p = policies[pi];
            if (!groupsByNs.TryGetValue(p.Namespace, out var inNs)) continue;
            foreach (var g in inNs)
            {
                if (p.PodSelector.Matches(groupReps[g].Labels)) Set(g, pi);
            }
        }
        var nsSelectorCache = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var k = 0; k < peers.Count; k++)
        {
            var (policy, peer) = peers[k];
            if (peer.IpBlock is not null) continue;
            IEnumerable<string> namespaces;
            if (peer.NamespaceSelector is null)
            {
                namespaces = [policy.Namespace];
            }
            else
            {
                var canon = peer.NamespaceSelector.Canonical;
                if (!nsSelectorCache.TryGetValue(canon, out var matched))
                {
                    matched = [.. cluster.Namespaces.Where(n => peer.NamespaceSelector.Matches(n.Labels)).Select(n => n.Name)];
                    nsSelectorCache[canon] = matched;
                }
                namespaces = matched;
            }
            var feature = policies.Count + k;
            foreach (var ns in namespaces)
            {
                if (!groupsByNs.TryGetValue(ns, out var inNs)) continue;
                foreach (var g in inNs)
                {
                    if (peer.PodSelector is null || peer.PodSelector.Matches(groupReps[g].Labels)) Set(g, feature);
                }
            }
        }

        // 3. Equivalence classes: equal signature and equal named ports.
        var classIndex = new Dictionary<SignatureKey, int>();
        var classOfGroup = new int[groupReps.Count];
        var classReps = new List<int>(); // representative group per class
        for (var g = 0; g < groupReps.Count; g++)
        {
            var key = new SignatureKey(signature, g * words, words, NamedPortKey(groupReps[g].Ports));
            if (!classIndex.TryGetValue(key, out var c))
            {
                c = classReps.Count;
                classIndex[key] = c;
                classReps.Add(g);
            }
            classOfGroup[g] = c;
        }
        var classCount = classReps.Count;
        bool Has(int cls, int feature) => (signature[(classReps[cls] * words) + (feature >> 6)] & (1UL << (feature & 63))) != 0;

        // 4. Per rule: the set of classes its peers cover, as a bitset over classes.
        var classWords = (classCount + 63) / 64;
        var peerCursor = 0;
        var ruleInfo = new Dictionary<PolicyRule, RuleClasses>(ReferenceEqualityComparer.Instance);
        foreach (var p in policies)
        {
            foreach (var r in p.Ingress.Concat(p.Egress))
            {
                var info = new RuleClasses(r.Peers is null, r.Peers is null ? null : new ulong[classWords]);
                foreach (var peer in r.Peers ?? [])
                {
                    var feature = policies.Count + peerCursor++;
                    if (peer.IpBlock is not null) continue;
                    for (var c = 0; c < classCount; c++)
                    {
                        if (Has(c, feature)) info.Bits![c >> 6] |= 1UL << (c & 63);
                    }
                }
                ruleInfo[r] = info;
            }
        }

        var ingressPolicies = new List<NetworkPolicy>[classCount];
        var egressPolicies = new List<NetworkPolicy>[classCount];
        for (var c = 0; c < classCount; c++)
        {
            ingressPolicies[c] = [];
            egressPolicies[c] = [];
            for (var pi = 0; pi < policies.Count; pi++)
            {
                if (!Has(c, pi)) continue;
                if (policies[pi].AffectsIngress) ingressPolicies[c].Add(policies[pi]);
                if (policies[pi].AffectsEgress) egressPolicies[c].Add(policies[pi]);
            }
        }

        // 5. Port sets per (rule, destination class); only named ports depend on the destination.
        var table = new PortSetTable();
        var ruleStaticPorts = new Dictionary<PolicyRule, int>(ReferenceEqualityComparer.Instance);
        var namedCache = new Dictionary<(PolicyRule, int), int>(new RuleClassComparer());
        int PortsAt(PolicyRule r, int dstClass)
        {
            if (!PolicySemantics.HasNamedPorts(r))
            {
                if (!ruleStaticPorts.TryGetValue(r, out var id)) ruleStaticPorts[r] = id = table.Intern(PolicySemantics.PortsAt(r, null));
                return id;
            }
            var key = (r, dstClass);
            if (!namedCache.TryGetValue(key, out var named))
                namedCache[key] = named = table.Intern(PolicySemantics.PortsAt(r, groupReps[classReps[dstClass]].Ports));
            return named;
        }

        // 6. Egress half (row = source) and ingress half (row = destination), then intersect.
        var n = classCount;
        var egress = new int[n * n];
        for (var s = 0; s < n; s++)
        {
            var row = egress.AsSpan(s * n, n);
            if (egressPolicies[s].Count == 0) { row.Fill(PortSetTable.AllId); continue; }
            foreach (var p in egressPolicies[s])
            {
                foreach (var r in p.Egress)
                {
                    foreach (var d in Members(ruleInfo[r], n)) row[d] = table.Union(row[d], PortsAt(r, d));
                }
            }
        }
        var ingress = new int[n * n];
        for (var d = 0; d < n; d++)
        {
            var row = ingress.AsSpan(d * n, n);
            if (ingressPolicies[d].Count == 0) { row.Fill(PortSetTable.AllId); continue; }
            foreach (var p in ingressPolicies[d])
            {
                foreach (var r in p.Ingress)
                {
                    var ports = PortsAt(r, d);
                    foreach (var s in Members(ruleInfo[r], n)) row[s] = table.Union(row[s], ports);
                }
            }
        }
        for (var s = 0; s < n; s++)
        {
            for (var d = 0; d < n; d++)
            {
                var i = (s * n) + d;
                egress[i] = table.Intersect(egress[i], ingress[(d * n) + s]);
            }
        }

        // 7. Addresses outside the cluster.
        var toWorld = new IReadOnlyList<ExternalAccess>[n];
        var fromWorld = new IReadOnlyList<ExternalAccess>[n];
        for (var c = 0; c < n; c++)
        {
            toWorld[c] = World(egressPolicies[c], p => p.Egress, null);
            fromWorld[c] = World(ingressPolicies[c], p => p.Ingress, groupReps[classReps[c]].Ports);
        }

        var endpoints = cluster.Pods.Select(p => new Endpoint(p.Id, EndpointKind.Pod, p.Namespace, p.Labels, p.Location) { Pod = p }).ToList();
        var classOf = new int[cluster.Pods.Count];
        for (var i = 0; i < classOf.Length; i++) classOf[i] = classOfGroup[groupOfPod[i]];
        return new ReachabilityMatrix(endpoints, classOf, n, egress, table, toWorld, fromWorld);
    }

    private static List<ExternalAccess> World(List<NetworkPolicy> selecting, Func<NetworkPolicy, IReadOnlyList<PolicyRule>> rules, IReadOnlyList<ContainerPort>? localPorts)
    {
        if (selecting.Count == 0)
            return [new ExternalAccess(AddressBlock.AnyV4, PortSet.All, "not isolated"), new ExternalAccess(AddressBlock.AnyV6, PortSet.All, "not isolated")];
        var result = new List<ExternalAccess>();
        foreach (var p in selecting)
        {
            foreach (var r in rules(p))
            {
                var ports = PolicySemantics.PortsAt(r, localPorts);
                if (ports.IsEmpty) continue;
                var via = $"{p.Id} rule {r.Index}";
                if (r.Peers is null)
                {
                    result.Add(new ExternalAccess(AddressBlock.AnyV4, ports, via));
                    result.Add(new ExternalAccess(AddressBlock.AnyV6, ports, via));
                    continue;
                }
                foreach (var peer in r.Peers)
                {
                    if (peer.IpBlock is not null) result.Add(new ExternalAccess(peer.IpBlock, ports, via));
                }
            }
        }
        return result;
    }

    private static int[] Members(RuleClasses info, int n)
    {
        if (info.Members is not null) return info.Members;
        var list = new List<int>();
        if (info.All)
        {
            for (var c = 0; c < n; c++) list.Add(c);
        }
        else
        {
            var bits = info.Bits!;
            for (var w = 0; w < bits.Length; w++)
            {
                var word = bits[w];
                while (word != 0)
                {
                    list.Add((w << 6) + BitOperations.TrailingZeroCount(word));
                    word &= word - 1;
                }
            }
        }
        info.Members = [.. list];
        return info.Members;
    }

    private static string NamedPortKey(IReadOnlyList<ContainerPort> ports)
    {
        if (ports.Count == 0 || ports.All(p => p.Name is null)) return "";
        return string.Join(",", ports.Where(p => p.Name is not null).Select(p => $"{p.Name}/{(int)p.Protocol}={p.Port}").Order(StringComparer.Ordinal));
    }

    private sealed class RuleClassComparer : IEqualityComparer<(PolicyRule Rule, int Class)>
    {
        public bool Equals((PolicyRule Rule, int Class) x, (PolicyRule Rule, int Class) y) => ReferenceEquals(x.Rule, y.Rule) && x.Class == y.Class;

        public int GetHashCode((PolicyRule Rule, int Class) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Rule), obj.Class);
    }

    private sealed class RuleClasses(bool all, ulong[]? bits)
    {
        public bool All { get; } = all;

        public ulong[]? Bits { get; } = bits;

        public int[]? Members { get; set; }
    }

    private readonly struct SignatureKey(ulong[] data, int offset, int length, string ports) : IEquatable<SignatureKey>
    {
        private readonly ulong[] _data = data;
        private readonly int _offset = offset;
        private readonly int _length = length;
        private readonly string _ports = ports;

        public bool Equals(SignatureKey other) =>
            _ports == other._ports && _data.AsSpan(_offset, _length).SequenceEqual(other._data.AsSpan(other._offset, other._length));

        public override bool Equals(object? obj) => obj is SignatureKey k && Equals(k);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(_ports);
            foreach (var w in _data.AsSpan(_offset, _length)) h.Add(w);
            return h.ToHashCode();
        }
    }
}
