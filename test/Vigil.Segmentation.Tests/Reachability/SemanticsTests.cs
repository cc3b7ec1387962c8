using Vigil.Segmentation.Generation;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;
using static Vigil.Segmentation.Tests.Support.Yaml;

namespace Vigil.Segmentation.Tests.Reachability;

public sealed class SemanticsTests
{
    private static readonly string Inventory =
        Namespace("a", "team: x") + Namespace("b", "team: y") +
        Pod("a", "web", "app: web", "{ name: http, containerPort: 8080 }") +
        Pod("a", "db", "app: db, tier: data", "{ name: pg, containerPort: 5432 }") +
        Pod("b", "client", "app: client") +
        Pod("b", "web", "app: web", "{ name: http, containerPort: 9090 }");

    private static string Policy(string ns, string name, string spec) =>
        $"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{ name: {name}, namespace: {ns} }}\nspec:\n{spec}\n---\n";

    [Fact]
    public void Analyze_NoPolicies_EverythingOpen()
    {
        var m = Matrix(Inventory);
        Assert.Equal("all", Allowed(m, "b/client", "a/db"));
        Assert.Equal(12, m.AllowedPairCount());
    }

    [Fact]
    public void Analyze_DefaultDenyIngress_IsolatesOnlyIngressOfSelectedNamespace()
    {
        var m = Matrix(Inventory + Policy("a", "deny", "  podSelector: {}"));
        Assert.Equal("none", Allowed(m, "b/client", "a/web"));
        Assert.Equal("all", Allowed(m, "a/web", "b/client"));
        Assert.Equal("all", Allowed(m, "a/web", "b/web"));
    }

    [Fact]
    public void Analyze_EgressIsolation_NeedsBothSidesToAllow()
    {
        var m = Matrix(Inventory + Policy("b", "egress", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ namespaceSelector: { matchLabels: { team: x } } }]\n      ports: [{ port: 8080 }]")
            + Policy("a", "db", "  podSelector: { matchLabels: { app: db } }\n  ingress: [ { from: [ { podSelector: {} } ] } ]"));
        Assert.Equal("TCP 8080", Allowed(m, "b/client", "a/web"));
        Assert.Equal("none", Allowed(m, "b/client", "a/db")); // egress allows 8080 only, db ingress only from ns a
        Assert.Equal("all", Allowed(m, "a/web", "a/db"));
        Assert.Equal("none", Allowed(m, "b/client", "b/web"));
    }

    [Fact]
    public void Analyze_NamespaceAndPodSelectorInOnePeer_AreAnded_SeparatePeersOred()
    {
        var and = Matrix(Inventory + Policy("a", "p", "  podSelector: { matchLabels: { app: db } }\n  ingress: [ { from: [ { namespaceSelector: { matchLabels: { team: y } }, podSelector: { matchLabels: { app: web } } } ] } ]"));
        Assert.Equal("all", Allowed(and, "b/web", "a/db"));
        Assert.Equal("none", Allowed(and, "b/client", "a/db"));
        Assert.Equal("none", Allowed(and, "a/web", "a/db"));
        var or = Matrix(Inventory + Policy("a", "p", "  podSelector: { matchLabels: { app: db } }\n  ingress: [ { from: [ { namespaceSelector: { matchLabels: { team: y } } }, { podSelector: { matchLabels: { app: web } } } ] } ]"));
        Assert.Equal("all", Allowed(or, "b/client", "a/db"));
        Assert.Equal("all", Allowed(or, "a/web", "a/db"));
        Assert.Equal("all", Allowed(or, "b/web", "a/db"));
    }

    [Fact]
    public void Analyze_PodSelectorWithoutNamespaceSelector_OnlyPolicyNamespace()
    {
        var m = Matrix(Inventory + Policy("a", "p", "  podSelector: { matchLabels: { app: db } }\n  ingress: [ { from: [ { podSelector: { matchLabels: { app: web } } } ] } ]"));
        Assert.Equal("all", Allowed(m, "a/web", "a/db"));
        Assert.Equal("none", Allowed(m, "b/web", "a/db"));
    }

    [Fact]
    public void Analyze_NamedPort_ResolvedPerDestinationPod()
    {
        var m = Matrix(Inventory + Policy("b", "egress", "  podSelector: { matchLabels: { app: client } }\n  policyTypes: [Egress]\n  egress: [ { ports: [ { port: http } ] } ]"));
        Assert.Equal("TCP 8080", Allowed(m, "b/client", "a/web"));
        Assert.Equal("TCP 9090", Allowed(m, "b/client", "b/web"));
        Assert.Equal("none", Allowed(m, "b/client", "a/db"));
        // Named ports never resolve for addresses outside the cluster.
        var client = m.ClassOf[m.IndexOf("b/client")];
        Assert.Empty(m.EgressToWorld[client]);
    }

    [Fact]
    public void Analyze_EndPortAndProtocols()
    {
        var m = Matrix(Inventory + Policy("a", "p", "  podSelector: { matchLabels: { app: db } }\n  ingress: [ { ports: [ { port: 5000, endPort: 5500 }, { protocol: UDP, port: 53 }, { protocol: SCTP } ] } ]"));
        Assert.Equal("TCP 5000-5500, UDP 53, SCTP *", Allowed(m, "b/client", "a/db"));
    }

    [Fact]
    public void Analyze_MatchExpressions_AllOperators()
    {
        var m = Matrix(Inventory + Policy("a", "p", "  podSelector: { matchExpressions: [ { key: app, operator: In, values: [db, web] }, { key: tier, operator: DoesNotExist } ] }\n  ingress: [ { from: [ { podSelector: { matchExpressions: [ { key: app, operator: NotIn, values: [web] }, { key: app, operator: Exists } ] }, namespaceSelector: {} } ] } ]"));
        Assert.Equal("all", Allowed(m, "a/web", "a/db")); // db has tier: not selected
        Assert.Equal("none", Allowed(m, "b/web", "a/web"));
        Assert.Equal("all", Allowed(m, "b/client", "a/web"));
        Assert.Equal("all", Allowed(m, "a/db", "a/web"));
    }

    [Fact]
    public void Analyze_IpBlockWithExcept_ListedAsExternalAccess()
    {
        var m = Matrix(Inventory + Policy("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [ { to: [ { ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] } } ], ports: [ { port: 443 } ] } ]"));
        var web = m.ClassOf[m.IndexOf("a/web")];
        var x = Assert.Single(m.EgressToWorld[web]);
        Assert.Equal("10.0.0.0/8 except 10.1.0.0/16", x.Block.ToString());
        Assert.Equal("none", Allowed(m, "a/web", "b/client")); // ipBlock does not match pods
        var cluster = Load(Inventory + Policy("a", "p", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [ { to: [ { ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] } } ], ports: [ { port: 443 } ] } ]")).Cluster;
        Assert.True(Explainer.Explain(cluster, "a/web", "10.2.3.4", Protocol.Tcp, 443).Allowed);
        Assert.False(Explainer.Explain(cluster, "a/web", "10.1.3.4", Protocol.Tcp, 443).Allowed);
        Assert.False(Explainer.Explain(cluster, "a/web", "10.2.3.4", Protocol.Tcp, 80).Allowed);
    }

    [Fact]
    public void Explain_DeniedFlow_NamesIsolatingPolicyWithLocation()
    {
        var cluster = Load(Inventory + Policy("a", "deny", "  podSelector: {}")).Cluster;
        var e = Explainer.Explain(cluster, "b/client", "a/db", Protocol.Tcp, 5432);
        Assert.False(e.Allowed);
        Assert.Contains(e.Reasons, r => r.Contains("a/deny (test.yaml:", StringComparison.Ordinal) && r.Contains("denied", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_PodByIp_UsesThePodNotTheWorld()
    {
        var r = KubernetesLoader.LoadPaths([Path.Combine(Examples, "cluster")]);
        var byIp = Explainer.Explain(r.Cluster, "10.244.1.10", "10.244.1.11", Protocol.Tcp, 9000);
        Assert.True(byIp.Allowed, byIp.ToString());
        var outside = Explainer.Explain(r.Cluster, "203.0.113.9", "shop/api-5c4b-a", Protocol.Tcp, 9000);
        Assert.False(outside.Allowed);
        var web = Explainer.Explain(r.Cluster, "203.0.113.9", "shop/frontend-7d9f-a", Protocol.Tcp, 8080);
        Assert.True(web.Allowed);
        Assert.False(Explainer.Explain(r.Cluster, "10.1.2.3", "shop/frontend-7d9f-a", Protocol.Tcp, 8080).Allowed); // except 10.0.0.0/8
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Analyze_GeneratedCluster_MatchesDirectEvaluationOfEveryPair(int seed)
    {
        var r = KubernetesLoader.LoadText(ClusterGenerator.Generate(namespaces: 6, pods: 60, policies: 30, seed: seed));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var m = KubernetesAnalyzer.Analyze(r.Cluster);
        Assert.True(m.ClassCount < m.Endpoints.Count);
        (Protocol, int)[] probes = [(Protocol.Tcp, 8000), (Protocol.Tcp, 8002), (Protocol.Tcp, 8004), (Protocol.Tcp, 8006), (Protocol.Tcp, 9102), (Protocol.Udp, 53), (Protocol.Tcp, 22)];
        var checkedPairs = 0;
        for (var s = 0; s < m.Endpoints.Count; s += 3)
        {
            for (var d = 0; d < m.Endpoints.Count; d++)
            {
                if (s == d) continue;
                var ports = m.Allowed(s, d);
                foreach (var (proto, port) in probes)
                {
                    var e = Explainer.Explain(r.Cluster, m.Endpoints[s].Name, m.Endpoints[d].Name, proto, port);
                    Assert.True(e.Allowed == ports.Contains(proto, port), $"{m.Endpoints[s].Name} -> {m.Endpoints[d].Name} {proto} {port}: matrix {ports}, explain {e}");
                }
                checkedPairs++;
            }
        }
        Assert.True(checkedPairs > 1000);
    }
}
