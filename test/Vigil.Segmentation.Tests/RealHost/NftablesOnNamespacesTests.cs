using Vigil.Segmentation.Compilers;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.RealHost;

/// <summary>
/// Applies the generated nftables rulesets to hosts built as network namespaces and proves them with real TCP
/// connections. Needs root, nft, ip and socat (scripts/setup.sh installs them); CI runs as root.
/// </summary>
public sealed class NftablesOnNamespacesTests
{
    private const string Segments = """
        apiVersion: vigil.dev/v1
        kind: Segments
        metadata: { name: lab }
        settings: { logGroup: 7 }
        groups:
          - { name: web, sensitivity: low, hosts: [{ name: web, address: 10.250.7.11 }] }
          - { name: app, sensitivity: medium, hosts: [{ name: app, address: 10.250.7.21 }] }
          - { name: db, sensitivity: critical, hosts: [{ name: db, address: 10.250.7.31 }] }
          - { name: ops, sensitivity: high, hosts: [{ name: ops, address: 10.250.7.41 }] }
        flows:
          - { from: web, to: app, ports: [tcp/8080] }
          - { from: app, to: db, ports: [tcp/5432] }
          - { from: ops, to: [web, app, db], ports: [tcp/22] }
        """;

    private static readonly Dictionary<string, string> Hosts = new()
    {
        ["web"] = "10.250.7.11", ["app"] = "10.250.7.21", ["db"] = "10.250.7.31", ["ops"] = "10.250.7.41",
    };

    private static readonly int[] Ports = [22, 5432, 8080, 9999];

    // Written by hand from the segments above, so the test does not trust the analyzer it checks.
    private static readonly HashSet<string> Expected =
        ["web>app:8080", "app>db:5432", "ops>web:22", "ops>app:22", "ops>db:22"];

    [Fact]
    public async Task Nftables_EnforceAndAuditOnRealNamespaces_OnlyAllowedFlowsConnect()
    {
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root", "this test needs root (CI runs as root)");
        var load = KubernetesLoader.LoadText(Segments, "lab.yaml");
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var matrix = HostGroupAnalyzer.Analyze(load.Segments!);
        var dir = Directory.CreateTempSubdirectory("vgl-nft-");
        using var lab = new NetnsLab();
        try
        {
            foreach (var (host, address) in Hosts) lab.AddHost(host, address);
            foreach (var host in Hosts.Keys) foreach (var port in Ports) lab.Listen(host, port);
            foreach (var host in Hosts.Keys) lab.WaitListening(host, Ports);

            var cases = (from s in Hosts.Keys from d in Hosts.Keys where s != d from p in Ports select (Src: s, Dst: d, Port: p)).ToList();

            // Enforce mode.
            var bag = new DiagnosticBag();
            foreach (var f in NftablesCompiler.Compile(load.Segments!, CompileMode.Enforce, bag))
            {
                var file = Path.Combine(dir.FullName, "enforce-" + f.FileName);
                await File.WriteAllTextAsync(file, f.Content);
                lab.ApplyNft(f.Host, file);
            }
            Assert.False(bag.HasErrors);
            var results = await Task.WhenAll(cases.Select(async c => (c, ok: await lab.ConnectAsync(c.Src, Hosts[c.Dst], c.Port))));
            foreach (var (c, ok) in results)
            {
                var key = $"{c.Src}>{c.Dst}:{c.Port}";
                Assert.True(Expected.Contains(key) == ok, $"enforce: {key} connected={ok}, expected {Expected.Contains(key)}");
                Assert.Equal(Expected.Contains(key), matrix.Allowed(matrix.IndexOf(c.Src), matrix.IndexOf(c.Dst)).Contains(Model.Protocol.Tcp, c.Port));
            }
            Assert.True(lab.Counter("web", "vigil", NftablesCompiler.DropOutCounter) > 0, "drops must be counted");

            // Audit mode: every flow connects; each would-be drop increments both ends' counters, allowed flows do not.
            foreach (var f in NftablesCompiler.Compile(load.Segments!, CompileMode.Audit, bag))
            {
                var file = Path.Combine(dir.FullName, "audit-" + f.FileName);
                await File.WriteAllTextAsync(file, f.Content);
                lab.ApplyNft(f.Host, file);
            }
            var captures = Hosts.Keys.ToDictionary(h => h, h => Path.Combine(dir.FullName, h + ".pcap"));
            foreach (var (host, file) in captures) await lab.StartCaptureAsync(host, 7, file);
            foreach (var c in cases)
            {
                var key = $"{c.Src}>{c.Dst}:{c.Port}";
                var outBefore = lab.Counter(c.Src, "vigil", NftablesCompiler.DropOutCounter);
                var inBefore = lab.Counter(c.Dst, "vigil", NftablesCompiler.DropInCounter);
                Assert.True(await lab.ConnectAsync(c.Src, Hosts[c.Dst], c.Port), $"audit: {key} must connect");
                var outDelta = lab.Counter(c.Src, "vigil", NftablesCompiler.DropOutCounter) - outBefore;
                var inDelta = lab.Counter(c.Dst, "vigil", NftablesCompiler.DropInCounter) - inBefore;
                if (Expected.Contains(key))
                {
                    Assert.True(outDelta == 0 && inDelta == 0, $"audit: allowed {key} was logged as a would-be drop ({outDelta}/{inDelta})");
                }
                else
                {
                    Assert.True(outDelta > 0 && inDelta > 0, $"audit: would-be drop {key} was not logged ({outDelta}/{inDelta})");
                }
            }

            // The would-be drops were also logged, with the audit prefix, at both ends; allowed flows were not.
            var denied = cases.Where(c => !Expected.Contains($"{c.Src}>{c.Dst}:{c.Port}")).ToList();
            var logged = new Dictionary<string, List<Support.LoggedPacket>>();
            var wait = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                foreach (var (host, file) in captures) logged[host] = Support.NflogPcap.Read(file);
                if (denied.All(c => Logged(logged, c, "in") && Logged(logged, c, "out"))) break;
                await Task.Delay(50); // tcpdump writes asynchronously; the file is the only signal
            }
            while (wait.Elapsed < TimeSpan.FromSeconds(10));
            foreach (var c in cases)
            {
                var key = $"{c.Src}>{c.Dst}:{c.Port}";
                var isDenied = !Expected.Contains(key);
                Assert.True(Logged(logged, c, "in") == isDenied, $"audit log in {c.Dst} for {key}: expected logged={isDenied}");
                Assert.True(Logged(logged, c, "out") == isDenied, $"audit log in {c.Src} for {key}: expected logged={isDenied}");
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static bool Logged(Dictionary<string, List<Support.LoggedPacket>> logged, (string Src, string Dst, int Port) c, string direction)
    {
        var host = direction == "in" ? c.Dst : c.Src;
        return logged[host].Any(p => p.Prefix == $"vigil-drop-audit {direction} " && p.Source.ToString() == Hosts[c.Src] && p.Destination.ToString() == Hosts[c.Dst] && p.DestinationPort == c.Port);
    }

    [Fact]
    public void Nftables_LargeGeneratedRulesets_AcceptedByNftInBothModes()
    {
        var text = Generation.ClusterGenerator.Segments(60) + "  - { from: ops, to: g1, ports: [sctp/3868, udp/5000-5100] }\n";
        var load = KubernetesLoader.LoadText(text);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var dir = Directory.CreateTempSubdirectory("vgl-nftc-");
        using var lab = new NetnsLab();
        try
        {
            lab.AddHost("h", "10.250.8.1");
            foreach (var mode in new[] { CompileMode.Enforce, CompileMode.Audit })
            {
                foreach (var f in NftablesCompiler.Compile(load.Segments!, mode, new DiagnosticBag()).Where(f => f.Host is "h0" or "h1" or "h30"))
                {
                    var file = Path.Combine(dir.FullName, mode + f.FileName);
                    File.WriteAllText(file, f.Content);
                    lab.ApplyNft("h", file);
                    var (_, listed) = NetnsLab.Run("ip", "netns", "exec", lab.Ns("h"), "nft", "list", "set", "inet", "vigil", "allow_in");
                    Assert.Contains("192.168.50.0/24 . tcp . 22", listed, StringComparison.Ordinal);
                    if (f.Host == "h1") Assert.Contains("sctp . 3868", listed, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task Iptables_EnforceAndAuditOnRealNamespaces_OnlyAllowedFlowsConnect()
    {
        var load = KubernetesLoader.LoadText(Segments, "lab.yaml");
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var dir = Directory.CreateTempSubdirectory("vgl-iptr-");
        using var lab = new NetnsLab();
        try
        {
            foreach (var (host, address) in Hosts) lab.AddHost(host, address);
            foreach (var host in Hosts.Keys) foreach (var port in Ports) lab.Listen(host, port);
            foreach (var host in Hosts.Keys) lab.WaitListening(host, Ports);
            var cases = (from s in Hosts.Keys from d in Hosts.Keys where s != d from p in Ports select (Src: s, Dst: d, Port: p)).ToList();

            void Apply(CompileMode mode)
            {
                foreach (var f in IptablesCompiler.Compile(load.Segments!, mode, new DiagnosticBag()))
                    File.WriteAllText(Path.Combine(dir.FullName, mode + f.FileName), f.Content);
                foreach (var host in Hosts.Keys)
                {
                    var ns = lab.Ns(host);
                    var (code, output) = NetnsLab.Run(false, "sh", "-c", $"ip netns exec {ns} ipset restore -exist < {dir.FullName}/{mode}{host}.ipset && ip netns exec {ns} iptables-restore < {dir.FullName}/{mode}{host}.iptables");
                    Assert.True(code == 0, output);
                }
            }

            Apply(CompileMode.Enforce);
            var results = await Task.WhenAll(cases.Select(async c => (c, ok: await lab.ConnectAsync(c.Src, Hosts[c.Dst], c.Port))));
            foreach (var (c, ok) in results)
            {
                var key = $"{c.Src}>{c.Dst}:{c.Port}";
                Assert.True(Expected.Contains(key) == ok, $"iptables enforce: {key} connected={ok}, expected {Expected.Contains(key)}");
            }

            Apply(CompileMode.Audit);
            var captures = Hosts.Keys.ToDictionary(h => h, h => Path.Combine(dir.FullName, h + ".pcap"));
            foreach (var (host, file) in captures) await lab.StartCaptureAsync(host, 7, file);
            var audit = await Task.WhenAll(cases.Select(async c => (c, ok: await lab.ConnectAsync(c.Src, Hosts[c.Dst], c.Port))));
            Assert.All(audit, a => Assert.True(a.ok, $"iptables audit: {a.c} must connect"));
            var logged = new Dictionary<string, List<Support.LoggedPacket>>();
            var denied = cases.Where(c => !Expected.Contains($"{c.Src}>{c.Dst}:{c.Port}")).ToList();
            var wait = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                foreach (var (host, file) in captures) logged[host] = Support.NflogPcap.Read(file);
                if (denied.All(c => Logged(logged, c, "in") && Logged(logged, c, "out"))) break;
                await Task.Delay(50); // tcpdump writes asynchronously; the file is the only signal
            }
            while (wait.Elapsed < TimeSpan.FromSeconds(10));
            foreach (var c in cases)
            {
                var isDenied = !Expected.Contains($"{c.Src}>{c.Dst}:{c.Port}");
                Assert.True(Logged(logged, c, "in") == isDenied && Logged(logged, c, "out") == isDenied, $"iptables audit log for {c}: expected logged={isDenied}");
            }
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Iptables_GeneratedFiles_AcceptedByIpsetAndIptablesRestore()
    {
        var load = KubernetesLoader.LoadText(Segments, "lab.yaml");
        var dir = Directory.CreateTempSubdirectory("vgl-ipt-");
        using var lab = new NetnsLab();
        try
        {
            lab.AddHost("db", "10.250.7.31");
            var files = IptablesCompiler.Compile(load.Segments!, CompileMode.Enforce, new DiagnosticBag()).Where(f => f.Host == "db").ToList();
            foreach (var f in files) File.WriteAllText(Path.Combine(dir.FullName, f.FileName), f.Content);
            var ns = lab.Ns("db");
            var (code, output) = NetnsLab.Run(false, "sh", "-c", $"ip netns exec {ns} ipset restore -exist < {dir.FullName}/db.ipset && ip netns exec {ns} iptables-restore --test < {dir.FullName}/db.iptables");
            Assert.True(code == 0, output);
            var (_, list) = NetnsLab.Run("ip", "netns", "exec", ns, "ipset", "list", "vigil-in");
            Assert.Contains("10.250.7.21,tcp:5432", list, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
