using System.Net;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>Explains one flow by evaluating the policies directly (independently of the class matrix).</summary>
public static class Explainer
{
    /// <summary>Parses <c>8080</c>, <c>tcp/8080</c> or <c>udp/53</c>.</summary>
    public static bool TryParsePort(string text, out Protocol protocol, out int port)
    {
        protocol = Protocol.Tcp;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var number = text;
        if (slash >= 0)
        {
            if (!ProtocolNames.TryParse(text[..slash], out protocol)) { port = 0; return false; }
            number = text[(slash + 1)..];
        }
        return int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
    }

    /// <summary>Explains a flow between pods (<c>ns/name</c>) or addresses outside the cluster.</summary>
    public static Explanation Explain(ClusterModel cluster, string source, string destination, Protocol protocol, int port)
    {
        var reasons = new List<string>();
        // A pod may be named as ns/name or by its IP (status.podIP); any other address is outside the cluster.
        var src = cluster.Pods.FirstOrDefault(p => p.Id == source) ?? cluster.Pods.FirstOrDefault(p => p.Ip == source);
        var dst = cluster.Pods.FirstOrDefault(p => p.Id == destination) ?? cluster.Pods.FirstOrDefault(p => p.Ip == destination);
        IPAddress? srcIp = null, dstIp = null;
        if (src is null && !IPAddress.TryParse(source, out srcIp))
            return new Explanation(false, [$"unknown source '{source}': give a pod as namespace/name or an IP address outside the cluster"]);
        if (dst is null && !IPAddress.TryParse(destination, out dstIp))
            return new Explanation(false, [$"unknown destination '{destination}': give a pod as namespace/name or an IP address outside the cluster"]);
        var portText = $"{ProtocolNames.Upper(protocol)} {port}";

        bool egressOk;
        if (src is null)
        {
            egressOk = true;
            reasons.Add($"egress: {source} is outside the cluster; NetworkPolicy does not govern its egress");
        }
        else
        {
            var selecting = cluster.Policies.Where(p => p.AffectsEgress && PolicySemantics.Selects(p, src.Namespace, src.Labels)).ToList();
            egressOk = Side(cluster, selecting, p => p.Egress, "egress", src.Id, dst, dstIp, protocol, port, portText, reasons);
        }

        bool ingressOk;
        if (dst is null)
        {
            ingressOk = true;
            reasons.Add($"ingress: {destination} is outside the cluster; NetworkPolicy does not govern its ingress");
        }
        else
        {
            var selecting = cluster.Policies.Where(p => p.AffectsIngress && PolicySemantics.Selects(p, dst.Namespace, dst.Labels)).ToList();
            ingressOk = Side(cluster, selecting, p => p.Ingress, "ingress", dst.Id, src, srcIp, protocol, port, portText, reasons, dst);
        }
        if (src is not null && dst is not null && src.Id == dst.Id)
        {
            reasons.Add("a pod may always connect to itself");
            return new Explanation(true, reasons);
        }
        return new Explanation(egressOk && ingressOk, reasons);
    }

    private static bool Side(ClusterModel cluster, List<NetworkPolicy> selecting, Func<NetworkPolicy, IReadOnlyList<PolicyRule>> rules, string direction,
        string subject, KubePod? peerPod, IPAddress? peerIp, Protocol protocol, int port, string portText, List<string> reasons, KubePod? portOwner = null)
    {
        if (selecting.Count == 0)
        {
            reasons.Add($"{direction}: no policy with policyTypes {Cap(direction)} selects {subject}, so its {direction} is not isolated (allowed)");
            return true;
        }
        // For egress the named ports belong to the destination (the peer); for ingress to the subject itself.
        var destinationPorts = direction == "ingress" ? portOwner?.Ports : peerPod?.Ports;
        var allowing = new List<string>();
        foreach (var p in selecting)
        {
            foreach (var r in rules(p))
            {
                var peerMatch = peerPod is not null
                    ? PolicySemantics.RuleMatchesPod(r, p.Namespace, peerPod.Namespace, cluster.NamespacesByName[peerPod.Namespace].Labels, peerPod.Labels)
                    : PolicySemantics.RuleMatchesAddress(r, peerIp!);
                if (!peerMatch) continue;
                if (!PolicySemantics.PortsAt(r, destinationPorts).Contains(protocol, port)) continue;
                allowing.Add($"{p.Id} {direction}[{r.Index}] ({r.Location})");
            }
        }
        var names = string.Join(", ", selecting.Select(p => $"{p.Id} ({p.Location})"));
        if (allowing.Count > 0)
        {
            reasons.Add($"{direction}: {subject} is isolated by {names}; allowed by {string.Join("; ", allowing)}");
            return true;
        }
        reasons.Add($"{direction}: {subject} is isolated by {names}; no rule allows {(peerPod?.Id ?? peerIp?.ToString())} on {portText} (denied)");
        return false;
    }

    private static string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Explains a flow between host groups (group names or IP addresses).</summary>
    public static Explanation Explain(SegmentsModel segments, string source, string destination, Protocol protocol, int port)
    {
        var reasons = new List<string>();
        var srcGroups = Resolve(segments, source);
        var dstGroups = Resolve(segments, destination);
        if (srcGroups.Count == 0) return new Explanation(false, [$"'{source}' is not a group and no group contains that address: default drop"]);
        if (dstGroups.Count == 0) return new Explanation(false, [$"'{destination}' is not a group and no group contains that address: default drop"]);
        foreach (var f in segments.Flows)
        {
            if (f.From.Any(srcGroups.Contains) && f.To.Any(dstGroups.Contains) && f.Ports.Contains(protocol, port))
                reasons.Add($"allowed by flows[{f.Index}] {string.Join(",", f.From)} -> {string.Join(",", f.To)} {f.Ports} ({f.Location}){(f.Description.Length > 0 ? " \"" + f.Description + "\"" : "")}");
        }
        if (reasons.Count > 0) return new Explanation(true, reasons);
        return new Explanation(false, [$"no flow from {string.Join(",", srcGroups)} to {string.Join(",", dstGroups)} allows {ProtocolNames.Upper(protocol)} {port}: default drop"]);
    }

    private static List<string> Resolve(SegmentsModel segments, string text)
    {
        if (segments.Group(text) is { } g) return [g.Name];
        return IPAddress.TryParse(text, out var ip) ? [.. segments.Groups.Where(x => x.Contains(ip)).Select(x => x.Name)] : [];
    }
}
