using System.Globalization;
using System.Text;

namespace Vigil.Segmentation.Generation;

/// <summary>
/// Generates a realistic synthetic cluster as YAML (namespaces, pods of replicated workloads, NetworkPolicies using
/// every selector form) for the benchmark and for property tests. Deterministic for a given seed.
/// </summary>
internal static class ClusterGenerator
{
    public static string Generate(int namespaces, int pods, int policies, int seed, bool distinctPorts = false)
    {
        var rnd = new Random(seed);
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        var podsPerNs = Math.Max(1, pods / namespaces);
        var appsPerNs = Math.Max(1, podsPerNs / 5);
        var policiesPerNs = Math.Max(1, policies / namespaces);
        string[] tiers = ["web", "api", "db", "cache", "worker"];
        string[] sens = ["low", "medium", "critical", "high", "none"];
        for (var n = 0; n < namespaces; n++)
        {
            sb.Append(ci, $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n:D3}\n  labels: {{ team: t{n % 10}, env: {(n % 3 == 0 ? "prod" : "dev")} }}\n---\n");
        }
        var podCount = 0;
        for (var n = 0; n < namespaces; n++)
        {
            for (var k = 0; k < podsPerNs && podCount < pods; k++, podCount++)
            {
                var app = k % appsPerNs;
                var tier = tiers[app % tiers.Length];
                // distinctPorts: every pod resolves the named port 'http' to its own number, so no two pods are equivalent (worst case).
                var port = distinctPorts ? 10000 + podCount : 8000 + (app % 7);
                // Stateful tiers carry a unique per-pod label: the analyzer must still merge them into one class.
                var unique = tier == "db" ? $", statefulset.kubernetes.io/pod-name: p-{n}-{k}" : "";
                sb.Append(ci, $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: app-{app}-{k}\n  namespace: ns-{n:D3}\n  labels: {{ app: app-{app}, tier: {tier}, sensitivity: {sens[app % sens.Length]}{unique} }}\n");
                sb.Append(ci, $"spec:\n  containers:\n    - name: c\n      ports: [{{ name: http, containerPort: {port} }}, {{ name: metrics, containerPort: 9102 }}, {{ name: dns, containerPort: 53, protocol: UDP }}]\n---\n");
            }
        }
        var policyCount = 0;
        for (var n = 0; n < namespaces && policyCount < policies; n++)
        {
            // Even namespaces deny both directions by default, odd ones only ingress (their egress stays open).
            sb.Append(ci, $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{ name: default-deny, namespace: ns-{n:D3} }}\nspec:\n  podSelector: {{}}\n  policyTypes: [{(n % 2 == 0 ? "Ingress, Egress" : "Ingress")}]\n---\n");
            policyCount++;
            for (var i = 1; i < policiesPerNs && policyCount < policies; i++, policyCount++)
            {
                var app = rnd.Next(appsPerNs);
                var otherNs = rnd.Next(namespaces);
                var otherApp = rnd.Next(appsPerNs);
                sb.Append(ci, $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{ name: p-{i}, namespace: ns-{n:D3} }}\nspec:\n");
                sb.Append(ci, $"  podSelector: {{ matchLabels: {{ app: app-{app} }} }}\n  policyTypes: [Ingress, Egress]\n");
                sb.Append("  ingress:\n");
                switch (rnd.Next(4))
                {
                    case 0:
                        sb.Append(ci, $"    - from: [{{ podSelector: {{ matchLabels: {{ tier: {tiers[rnd.Next(tiers.Length)]} }} }} }}]\n      ports: [{{ port: http }}]\n");
                        break;
                    case 1:
                        sb.Append(ci, $"    - from: [{{ namespaceSelector: {{ matchLabels: {{ team: t{rnd.Next(10)} }} }}, podSelector: {{ matchLabels: {{ app: app-{otherApp} }} }} }}]\n      ports: [{{ port: 8000, endPort: 8003 }}]\n");
                        break;
                    case 2:
                        var b = rnd.Next(255);
                        sb.Append(ci, $"    - from: [{{ namespaceSelector: {{ matchExpressions: [{{ key: env, operator: In, values: [prod] }}] }} }}, {{ ipBlock: {{ cidr: 10.{b}.0.0/16, except: [10.{b}.0.0/24] }} }}]\n      ports: [{{ port: metrics }}]\n");
                        break;
                    default:
                        sb.Append(ci, $"    - from: [{{ podSelector: {{ matchExpressions: [{{ key: tier, operator: NotIn, values: [db] }}] }} }}]\n");
                        break;
                }
                sb.Append("  egress:\n");
                switch (rnd.Next(3))
                {
                    case 0:
                        sb.Append(ci, $"    - to: [{{ namespaceSelector: {{ matchLabels: {{ kubernetes.io/metadata.name: ns-{otherNs:D3} }} }}, podSelector: {{ matchLabels: {{ app: app-{otherApp} }} }} }}]\n      ports: [{{ port: http }}]\n");
                        break;
                    case 1:
                        sb.Append(ci, $"    - to: [{{ podSelector: {{ matchExpressions: [{{ key: sensitivity, operator: Exists }}] }} }}]\n      ports: [{{ protocol: TCP, port: {8000 + rnd.Next(7)} }}]\n");
                        break;
                    default:
                        sb.Append("    - to: [{ namespaceSelector: {}, podSelector: { matchLabels: { tier: cache } } }]\n      ports: [{ port: dns, protocol: UDP }]\n");
                        break;
                }
                sb.Append("---\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>A segments file with <paramref name="groups"/> groups in a chain (each group reaches the next) plus an operator group reaching all.</summary>
    public static string Segments(int groups)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("apiVersion: vigil.dev/v1\nkind: Segments\nmetadata: { name: generated }\ngroups:\n");
        for (var g = 0; g < groups; g++)
            sb.Append(ci, $"  - name: g{g}\n    hosts: [{{ name: h{g}, address: 10.{(g / 250) + 1}.{g % 250}.10 }}]\n    cidrs: [10.{(g / 250) + 100}.{g % 250}.0/24]\n");
        sb.Append("  - name: ops\n    cidrs: [192.168.50.0/24]\nflows:\n");
        for (var g = 0; g + 1 < groups; g++)
            sb.Append(ci, $"  - {{ from: g{g}, to: g{g + 1}, ports: [tcp/{8000 + (g % 50)}, udp/53] }}\n");
        sb.Append("  - from: ops\n    to: [");
        sb.Append(string.Join(", ", Enumerable.Range(0, groups).Select(g => "g" + g.ToString(ci))));
        sb.Append("]\n    ports: [tcp/22]\n");
        return sb.ToString();
    }
}
