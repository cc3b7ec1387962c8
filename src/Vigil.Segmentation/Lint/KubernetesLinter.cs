using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Lint;

/// <summary>Finds risky or meaningless NetworkPolicies. Each finding has a severity and the file/line it comes from.</summary>
public static class KubernetesLinter
{
    public static IReadOnlyList<Diagnostic> Lint(ClusterModel cluster)
    {
        var bag = new DiagnosticBag();
        var hasInventory = cluster.Pods.Count > 0;
        var hasNamespaces = cluster.Namespaces.Any(n => cluster.IsDeclared(n.Name));

        // Default deny per namespace: a policy with an empty podSelector isolating the direction.
        foreach (var ns in cluster.Namespaces)
        {
            if (ns.Name is "kube-system" or "kube-public" or "kube-node-lease") continue;
            var inNs = cluster.Policies.Where(p => p.Namespace == ns.Name).ToList();
            var at = ns.Location != SourceSpan.None ? ns.Location : inNs.FirstOrDefault()?.Location ?? SourceSpan.None;
            // A default deny selects every pod of the namespace for the direction and has no allow-everything rule.
            static bool AllowsAll(IReadOnlyList<PolicyRule> rules) => rules.Any(r => r.Peers is null && r.Ports is null);
            if (!inNs.Any(p => p.PodSelector.IsEmpty && p.AffectsIngress && !AllowsAll(p.Ingress)))
                bag.Warning(LintCodes.NoDefaultDenyIngress, $"namespace {ns.Name} has no default-deny ingress policy (podSelector: {{}}, policyTypes: [Ingress]); pods no policy selects accept connections from anywhere", at);
            if (!inNs.Any(p => p.PodSelector.IsEmpty && p.AffectsEgress && !AllowsAll(p.Egress)))
                bag.Warning(LintCodes.NoDefaultDenyEgress, $"namespace {ns.Name} has no default-deny egress policy (podSelector: {{}}, policyTypes: [Egress]); pods no policy selects may connect anywhere", at);
        }

        foreach (var p in cluster.Policies)
        {
            if (hasNamespaces && !cluster.IsDeclared(p.Namespace))
                bag.Warning(LintCodes.UnknownNamespace, $"{p.Id}: namespace {p.Namespace} is not in the inventory", p.Location);
            if (!p.PolicyTypesExplicit && p.HasEgressSection && p.Egress.Count == 0)
                bag.Warning(LintCodes.EmptyEgressNotIsolating, $"{p.Id}: 'egress: []' without policyTypes does NOT isolate egress (Kubernetes adds Egress only when there are egress rules); add policyTypes: [Ingress, Egress]", p.Location);
            if (hasInventory && !cluster.Pods.Any(pod => PolicySemantics.Selects(p, pod.Namespace, pod.Labels)))
                bag.Warning(LintCodes.SelectsNothing, $"{p.Id}: podSelector {p.PodSelector} selects no pod in namespace {p.Namespace}", p.Location);

            if (p.AffectsEgress)
            {
                foreach (var r in p.Egress)
                {
                    var allPorts = r.Ports is null;
                    if (r.Peers is null)
                        bag.Add(new Diagnostic(LintCodes.EgressToAnywhere, allPorts ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                            $"{p.Id} egress[{r.Index}] has no 'to': selected pods may connect to any address (0.0.0.0/0, ::/0) on {(allPorts ? "every port" : PortsText(r))}", r.Location));
                    foreach (var peer in r.Peers ?? [])
                    {
                        if (peer.IpBlock is { Cidr.PrefixLength: 0 })
                            bag.Add(new Diagnostic(LintCodes.EgressToAnywhere, allPorts ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
                                $"{p.Id} egress[{r.Index}] allows ipBlock {peer.IpBlock} on {(allPorts ? "every port" : PortsText(r))}: data can leave to the internet", peer.Location));
                        if (peer.NamespaceSelector is { IsEmpty: true } && (peer.PodSelector is null || peer.PodSelector.IsEmpty))
                            bag.Warning(LintCodes.EgressToAllNamespaces, $"{p.Id} egress[{r.Index}] allows every pod in every namespace (namespaceSelector: {{}}) on {(allPorts ? "every port" : PortsText(r))}", peer.Location);
                        if (hasInventory && peer.IpBlock is null && !cluster.Pods.Any(pod => PolicySemantics.PeerMatchesPod(peer, p.Namespace, pod.Namespace, cluster.NamespacesByName[pod.Namespace].Labels, pod.Labels)))
                            bag.Warning(LintCodes.PeerMatchesNothing, $"{p.Id} egress[{r.Index}] peer '{peer}' matches no pod", peer.Location);
                    }
                }
            }
            if (p.AffectsIngress)
            {
                foreach (var r in p.Ingress)
                {
                    if (r.Peers is null)
                        bag.Add(new Diagnostic(LintCodes.IngressFromAnywhere, DiagnosticSeverity.Info, $"{p.Id} ingress[{r.Index}] has no 'from': any source, inside or outside the cluster, may connect on {(r.Ports is null ? "every port" : PortsText(r))}", r.Location));
                    foreach (var peer in r.Peers ?? [])
                    {
                        if (peer.IpBlock is { Cidr.PrefixLength: 0 })
                            bag.Add(new Diagnostic(LintCodes.IngressFromAnywhere, DiagnosticSeverity.Info, $"{p.Id} ingress[{r.Index}] allows ipBlock {peer.IpBlock}", peer.Location));
                        if (peer.NamespaceSelector is { IsEmpty: true } && (peer.PodSelector is null || peer.PodSelector.IsEmpty))
                            bag.Warning(LintCodes.IngressFromAllNamespaces, $"{p.Id} ingress[{r.Index}] allows every pod in every namespace (namespaceSelector: {{}})", peer.Location);
                        if (hasInventory && peer.IpBlock is null && !cluster.Pods.Any(pod => PolicySemantics.PeerMatchesPod(peer, p.Namespace, pod.Namespace, cluster.NamespacesByName[pod.Namespace].Labels, pod.Labels)))
                            bag.Warning(LintCodes.PeerMatchesNothing, $"{p.Id} ingress[{r.Index}] peer '{peer}' matches no pod", peer.Location);
                    }
                }
            }
        }

        Shadowing(cluster, bag, hasInventory);
        return [.. bag.Items.OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Code, StringComparer.Ordinal)];
    }

    private static string PortsText(PolicyRule r) => r.Ports is null ? "every port" : string.Join(", ", r.Ports);

    private sealed record RuleView(NetworkPolicy Policy, PolicyRule Rule, bool Ingress, HashSet<int> Selected, HashSet<int>? PeerPods, List<AddressBlock> Blocks, PortSet? Ports, HashSet<string> PortTexts, int Order);

    /// <summary>A rule is shadowed when another rule of the same direction applies to at least the same pods, the same peers and the same ports.</summary>
    private static void Shadowing(ClusterModel cluster, DiagnosticBag bag, bool hasInventory)
    {
        var views = new List<RuleView>();
        var order = 0;
        foreach (var p in cluster.Policies)
        {
            var selected = new HashSet<int>();
            for (var i = 0; i < cluster.Pods.Count; i++)
            {
                if (PolicySemantics.Selects(p, cluster.Pods[i].Namespace, cluster.Pods[i].Labels)) selected.Add(i);
            }
            if (hasInventory && selected.Count == 0) continue;
            foreach (var (rules, ingress, affects) in new[] { (p.Ingress, true, p.AffectsIngress), (p.Egress, false, p.AffectsEgress) })
            {
                if (!affects) continue;
                foreach (var r in rules)
                {
                    HashSet<int>? peerPods = null;
                    if (r.Peers is not null)
                    {
                        peerPods = [];
                        if (hasInventory)
                        {
                            for (var i = 0; i < cluster.Pods.Count; i++)
                            {
                                var pod = cluster.Pods[i];
                                if (PolicySemantics.RuleMatchesPod(r, p.Namespace, pod.Namespace, cluster.NamespacesByName[pod.Namespace].Labels, pod.Labels)) peerPods.Add(i);
                            }
                        }
                    }
                    var blocks = r.Peers is null ? [AddressBlock.AnyV4, AddressBlock.AnyV6] : r.Peers.Where(x => x.IpBlock is not null).Select(x => x.IpBlock!).ToList();
                    var ports = PolicySemantics.HasNamedPorts(r) ? null : PolicySemantics.PortsAt(r, null);
                    var texts = r.Ports is null ? ["*"] : r.Ports.Select(x => x.ToString()).ToHashSet(StringComparer.Ordinal);
                    views.Add(new RuleView(p, r, ingress, selected, peerPods, blocks, ports, texts, order++));
                }
            }
        }
        foreach (var a in views)
        {
            foreach (var b in views)
            {
                if (ReferenceEquals(a, b) || a.Ingress != b.Ingress || a.Policy.Namespace != b.Policy.Namespace) continue;
                if (!Covers(b, a, hasInventory)) continue;
                // Identical rules: report only the later one.
                if (Covers(a, b, hasInventory) && a.Order < b.Order) continue;
                var dir = a.Ingress ? "ingress" : "egress";
                bag.Warning(LintCodes.ShadowedRule, $"{a.Policy.Id} {dir}[{a.Rule.Index}] is shadowed by the broader {b.Policy.Id} {dir}[{b.Rule.Index}] ({b.Rule.Location}); it allows nothing more", a.Rule.Location);
                break;
            }
        }
    }

    private static bool Covers(RuleView broad, RuleView narrow, bool hasInventory)
    {
        if (hasInventory)
        {
            if (!narrow.Selected.IsSubsetOf(broad.Selected)) return false;
        }
        else if (narrow.Policy.PodSelector.Canonical != broad.Policy.PodSelector.Canonical && !broad.Policy.PodSelector.IsEmpty)
        {
            return false;
        }
        if (broad.PeerPods is not null)
        {
            if (narrow.PeerPods is null) return false;
            if (hasInventory)
            {
                if (!narrow.PeerPods.IsSubsetOf(broad.PeerPods)) return false;
            }
            else
            {
                var bp = broad.Rule.Peers!.Where(x => x.IpBlock is null).Select(x => x.ToString()).ToHashSet(StringComparer.Ordinal);
                if (!narrow.Rule.Peers!.Where(x => x.IpBlock is null).All(x => bp.Contains(x.ToString()))) return false;
            }
        }
        foreach (var block in narrow.Blocks)
        {
            if (!broad.Blocks.Any(b => Cidr.Within(block.Cidr, b.Cidr) && (b.Except.Count == 0 || b.Except.SequenceEqual(block.Except)))) return false;
        }
        if (narrow.Ports is not null && broad.Ports is not null) return narrow.Ports.IsSubsetOf(broad.Ports);
        return broad.PortTexts.Contains("*") || narrow.PortTexts.IsSubsetOf(broad.PortTexts);
    }
}
