using System.Net;
using System.Text;
using System.Text.Json;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Compilers;

/// <summary>
/// Compiles a segments file into Kubernetes NetworkPolicy manifests: one policy per group that has a <c>kubernetes</c>
/// target, isolating both directions and allowing exactly the flows of the file. Groups without a target are
/// addressed by <c>ipBlock</c>. NetworkPolicy has no logging action, so audit mode appends an allow-all rule to each
/// direction (nothing is dropped) and marks the policy; see docs/segmentation.md.
/// </summary>
public static class NetworkPolicyCompiler
{
    public static IReadOnlyList<CompiledFile> Compile(SegmentsModel segments, CompileMode mode, DiagnosticBag diagnostics)
    {
        var inCluster = segments.Groups.Where(g => g.Kubernetes is not null).ToList();
        if (inCluster.Count == 0)
        {
            diagnostics.Error(SegmentationErrorCodes.MissingField, "no group has a 'kubernetes' target (namespace, podSelector); nothing to compile to NetworkPolicy", segments.Location);
            return [];
        }
        var sb = new StringBuilder();
        var first = true;
        foreach (var g in inCluster)
        {
            if (!first) sb.Append("---\n");
            first = false;
            var ns = Namespace(segments, g);
            sb.Append("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n");
            sb.Append($"  name: {Q("vigil-" + g.Name)}\n  namespace: {Q(ns)}\n");
            sb.Append("  labels:\n    app.kubernetes.io/managed-by: vigil\n");
            sb.Append($"  annotations:\n    vigil.dev/mode: {Q(mode == CompileMode.Audit ? "audit" : "enforce")}\n");
            if (mode == CompileMode.Audit)
                sb.Append($"    vigil.dev/audit: {Q("the last rule of each direction allows everything; remove it (compile without --audit) to enforce")}\n");
            sb.Append("spec:\n  podSelector:\n");
            Selector(sb, g.Kubernetes!.PodSelector, "    ");
            sb.Append("  policyTypes: [Ingress, Egress]\n");
            sb.Append("  ingress:\n");
            foreach (var f in segments.Flows.Where(f => f.To.Contains(g.Name)))
                Rule(sb, "from", f, f.From.Select(x => segments.Group(x)!), segments);
            if (mode == CompileMode.Audit) sb.Append("    - {}\n");
            else if (!segments.Flows.Any(f => f.To.Contains(g.Name))) sb.Append("    []\n");
            sb.Append("  egress:\n");
            foreach (var f in segments.Flows.Where(f => f.From.Contains(g.Name)))
                Rule(sb, "to", f, f.To.Select(x => segments.Group(x)!), segments);
            if (mode == CompileMode.Audit) sb.Append("    - {}\n");
            else if (!segments.Flows.Any(f => f.From.Contains(g.Name))) sb.Append("    []\n");
        }
        var text = sb.ToString().Replace("  ingress:\n    []\n", "  ingress: []\n", StringComparison.Ordinal).Replace("  egress:\n    []\n", "  egress: []\n", StringComparison.Ordinal);
        return [new CompiledFile(segments.Name + "-networkpolicies.yaml", text, "")];
    }

    private static string Namespace(SegmentsModel s, HostGroup g) => string.IsNullOrEmpty(g.Kubernetes!.Namespace) ? s.Settings.KubernetesNamespace : g.Kubernetes.Namespace;

    private static void Rule(StringBuilder sb, string key, GroupFlow f, IEnumerable<HostGroup> peers, SegmentsModel segments)
    {
        sb.Append($"    # flows[{f.Index}] {string.Join(",", f.From)} -> {string.Join(",", f.To)}\n");
        sb.Append($"    - {key}:\n");
        foreach (var p in peers)
        {
            if (p.Kubernetes is not null)
            {
                sb.Append("        - namespaceSelector:\n            matchLabels:\n");
                sb.Append($"              kubernetes.io/metadata.name: {Q(Namespace(segments, p))}\n");
                sb.Append("          podSelector:\n");
                Selector(sb, p.Kubernetes.PodSelector, "            ");
            }
            else
            {
                foreach (var n in p.Networks)
                    sb.Append($"        - ipBlock:\n            cidr: {Q(n.ToString())}\n");
            }
        }
        sb.Append("      ports:\n");
        foreach (var r in f.Ports.Ranges())
        {
            sb.Append($"        - protocol: {ProtocolNames.Upper(r.Protocol)}\n          port: {r.First}\n");
            if (r.Last != r.First) sb.Append($"          endPort: {r.Last}\n");
        }
    }

    private static void Selector(StringBuilder sb, LabelSelector s, string indent)
    {
        if (s.IsEmpty) { sb.Append(indent).Append("{}\n"); return; }
        if (s.MatchLabels.Count > 0)
        {
            sb.Append(indent).Append("matchLabels:\n");
            foreach (var kv in s.MatchLabels) sb.Append($"{indent}  {Q(kv.Key)}: {Q(kv.Value)}\n");
        }
        if (s.MatchExpressions.Count > 0)
        {
            sb.Append(indent).Append("matchExpressions:\n");
            foreach (var e in s.MatchExpressions)
            {
                sb.Append($"{indent}  - key: {Q(e.Key)}\n{indent}    operator: {e.Operator}\n");
                if (e.Values.Count > 0) sb.Append($"{indent}    values: [{string.Join(", ", e.Values.Select(Q))}]\n");
            }
        }
    }

    /// <summary>JSON string syntax is valid YAML and escapes everything that needs it.</summary>
    private static string Q(string s) => JsonSerializer.Serialize(s);

    internal static IPNetwork HostNetwork(IPAddress a) => new(a, 32);
}
