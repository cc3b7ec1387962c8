using Vigil.Segmentation.Compilers;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Generation;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.Compilers;

public sealed class CompilerTests
{
    private static SegmentsModel Example() => KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, "segments.yaml")]).Segments!;

    [Fact]
    public void Nftables_PerHost_DefaultDropSetsAndLoggedDrops()
    {
        var bag = new DiagnosticBag();
        var files = NftablesCompiler.Compile(Example(), CompileMode.Enforce, bag);
        Assert.False(bag.HasErrors);
        Assert.Equal(["web-1.nft", "web-2.nft", "app-1.nft", "db-1.nft"], files.Select(f => f.FileName));
        var db = files.Single(f => f.Host == "db-1").Content;
        Assert.Contains("policy drop;", db, StringComparison.Ordinal);
        Assert.Contains("ct state established,related accept", db, StringComparison.Ordinal);
        Assert.Contains("ip saddr . meta l4proto . th dport @allow_in accept", db, StringComparison.Ordinal);
        Assert.Contains("10.20.2.21 . tcp . 5432", db, StringComparison.Ordinal);
        Assert.Contains("10.20.9.0/24 . tcp . 22", db, StringComparison.Ordinal);
        Assert.Contains("log prefix \"vigil-drop in \"", db, StringComparison.Ordinal);
        Assert.DoesNotContain("8080", db, StringComparison.Ordinal);
        var audit = NftablesCompiler.Compile(Example(), CompileMode.Audit, bag).Single(f => f.Host == "db-1").Content;
        Assert.Contains("policy accept;", audit, StringComparison.Ordinal);
        Assert.Contains("counter name drop_in accept", audit, StringComparison.Ordinal);
        Assert.Contains("vigil-drop-audit in ", audit, StringComparison.Ordinal);
    }

    [Fact]
    public void LogGroup_UsesNflogInBothCompilers()
    {
        var r = KubernetesLoader.LoadText("""
            apiVersion: vigil.dev/v1
            kind: Segments
            settings: { logGroup: 7, logPrefix: fw }
            groups: [ { name: a, hosts: [10.0.0.1] }, { name: b, hosts: [10.0.0.2] } ]
            flows: [ { from: a, to: b, ports: [udp/53] } ]
            """);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var nft = NftablesCompiler.Compile(r.Segments!, CompileMode.Audit, new DiagnosticBag())[0].Content;
        Assert.Contains("log prefix \"fw-audit in \" group 7", nft, StringComparison.Ordinal);
        var ipt = IptablesCompiler.Compile(r.Segments!, CompileMode.Enforce, new DiagnosticBag()).Single(f => f.FileName == "a-1.iptables").Content;
        Assert.Contains("-j NFLOG --nflog-group 7 --nflog-prefix \"fw out \"", ipt, StringComparison.Ordinal);
    }

    [Fact]
    public void Nftables_OverlappingSources_NormalisedToDisjointIntervals()
    {
        var list = new List<(System.Net.IPNetwork, Model.PortSet)>
        {
            (System.Net.IPNetwork.Parse("10.0.0.0/24"), Model.PortSet.Of(Model.Protocol.Tcp, 80)),
            (System.Net.IPNetwork.Parse("10.0.0.5/32"), Model.PortSet.Of(Model.Protocol.Tcp, 22)),
        };
        var n = HostRules.Normalize(list);
        Assert.Equal(3, n.Count);
        Assert.Equal("TCP 22, TCP 80", n[1].Ports.ToString());
        Assert.Equal(["10.0.0.0/30", "10.0.0.4/32"], HostRules.ToCidrs(n[0].First, n[0].Last));
    }

    [Fact]
    public void Nftables_RulesetSize_GrowsLinearlyWithGroups()
    {
        static int Size(int groups)
        {
            var r = KubernetesLoader.LoadText(ClusterGenerator.Segments(groups));
            Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
            return NftablesCompiler.Compile(r.Segments!, CompileMode.Enforce, new DiagnosticBag()).Sum(f => f.Content.Length);
        }
        var s50 = Size(50);
        var s100 = Size(100);
        var s200 = Size(200);
        var ratio = (double)(s200 - s100) / (s100 - s50);
        Assert.InRange(ratio, 1.7, 2.3);
    }

    [Fact]
    public void Iptables_IpsetAndRestoreFiles()
    {
        var bag = new DiagnosticBag();
        var files = IptablesCompiler.Compile(Example(), CompileMode.Enforce, bag);
        var ipset = files.Single(f => f.FileName == "db-1.ipset").Content;
        Assert.Contains("create vigil-in hash:net,port family inet", ipset, StringComparison.Ordinal);
        Assert.Contains("add vigil-in 10.20.2.21/32,tcp:5432", ipset, StringComparison.Ordinal);
        var ipt = files.Single(f => f.FileName == "db-1.iptables").Content;
        Assert.Contains(":INPUT DROP", ipt, StringComparison.Ordinal);
        Assert.Contains("-A INPUT -m set --match-set vigil-in src,dst -j ACCEPT", ipt, StringComparison.Ordinal);
        Assert.Contains("--log-prefix \"vigil-drop in \"", ipt, StringComparison.Ordinal);
        Assert.EndsWith("COMMIT\n", ipt, StringComparison.Ordinal);
        var audit = IptablesCompiler.Compile(Example(), CompileMode.Audit, bag).Single(f => f.FileName == "db-1.iptables").Content;
        Assert.Contains(":INPUT ACCEPT", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("-j DROP", audit, StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkPolicy_Compiled_LoadsBackWithSameReachability()
    {
        var segments = KubernetesLoader.LoadText("""
            apiVersion: vigil.dev/v1
            kind: Segments
            groups:
              - { name: web, hosts: [10.0.0.1], kubernetes: { namespace: shop, podSelector: { matchLabels: { app: web } } } }
              - { name: db, hosts: [10.0.0.2], kubernetes: { namespace: data, podSelector: { matchLabels: { app: db } } } }
              - { name: ops, cidrs: [192.168.9.0/24] }
            flows:
              - { from: web, to: db, ports: [tcp/5432] }
              - { from: ops, to: [web, db], ports: [tcp/22, tcp/8000-8100] }
            """).Segments!;
        foreach (var mode in new[] { CompileMode.Enforce, CompileMode.Audit })
        {
            var file = Assert.Single(NetworkPolicyCompiler.Compile(segments, mode, new DiagnosticBag()));
            var inventory = Support.Yaml.Pod("shop", "web-0", "app: web") + Support.Yaml.Pod("data", "db-0", "app: db") + Support.Yaml.Pod("data", "other", "app: other");
            var r = KubernetesLoader.LoadText(inventory + file.Content, "compiled.yaml");
            Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics) + "\n" + file.Content);
            var m = KubernetesAnalyzer.Analyze(r.Cluster);
            var web = m.IndexOf("shop/web-0");
            var db = m.IndexOf("data/db-0");
            var other = m.IndexOf("data/other");
            if (mode == CompileMode.Enforce)
            {
                Assert.Equal("TCP 5432", m.Allowed(web, db).ToString());
                Assert.Equal("none", m.Allowed(db, web).ToString());
                Assert.Equal("none", m.Allowed(web, other).ToString());
                Assert.Contains(m.IngressFromWorld[m.ClassOf[db]], x => x.Block.ToString() == "192.168.9.0/24" && x.Ports.ToString() == "TCP 22, TCP 8000-8100");
            }
            else
            {
                Assert.Equal("all", m.Allowed(db, web).ToString());
                Assert.Contains("vigil.dev/mode: \"audit\"", file.Content, StringComparison.Ordinal);
            }
        }
    }
}
