using System.Diagnostics;

namespace Vigil.Segmentation.Tests.RealHost;

/// <summary>
/// Builds hosts as network namespaces on one bridge (in its own namespace), with addresses only inside them.
/// Everything created is removed in Dispose, even when the test fails.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];

    public NetnsLab()
    {
        Prefix = "vgl-" + Guid.NewGuid().ToString("N")[..6];
        Bridge = Prefix + "-br";
        Create(Bridge);
        Run("ip", "-n", Bridge, "link", "add", "br0", "type", "bridge");
        Run("ip", "-n", Bridge, "link", "set", "br0", "up");
    }

    public string Prefix { get; }

    public string Bridge { get; }

    public string Ns(string host) => $"{Prefix}-{host}";

    private void Create(string ns)
    {
        Run("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        // IPv6 autoconfiguration (router solicitations, MLD) would otherwise hit the audit counters at random times.
        Run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        Run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
    }

    public void AddHost(string host, string address)
    {
        var ns = Ns(host);
        Create(ns);
        var port = "p" + _namespaces.Count;
        Run("ip", "-n", Bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        Run("ip", "-n", Bridge, "link", "set", port, "master", "br0", "up");
        Run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        Run("ip", "-n", ns, "link", "set", "eth0", "up");
        Run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    public void Listen(string host, int port)
    {
        var p = Start("ip", "netns", "exec", Ns(host), "socat", $"TCP-LISTEN:{port},fork,reuseaddr", "SYSTEM:true");
        _processes.Add(p);
    }

    public void WaitListening(string host, int[] ports)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            var (_, output) = Run("ip", "netns", "exec", Ns(host), "ss", "-Htln");
            if (ports.All(p => output.Contains($":{p} ", StringComparison.Ordinal))) return;
            Thread.Sleep(20); // polling a kernel table: no event to await
        }
        throw new TimeoutException($"listeners in {host} did not start");
    }

    /// <summary>Captures the netfilter log group <paramref name="group"/> of <paramref name="host"/> into a pcap file; returns once tcpdump listens.</summary>
    public async Task StartCaptureAsync(string host, int group, string file)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", Ns(host), "tcpdump", "-i", $"nflog:{group}", "-U", "-w", file }) psi.ArgumentList.Add(a);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening on", StringComparison.Ordinal) == true) listening.TrySetResult();
        };
        p.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("tcpdump exited"));
        p.EnableRaisingEvents = true;
        p.Start();
        p.BeginErrorReadLine();
        _processes.Add(p);
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Opens a real TCP connection from <paramref name="host"/>; true if it was established within the timeout.</summary>
    public async Task<bool> ConnectAsync(string host, string address, int port, int timeoutSeconds = 2)
    {
        using var p = Start("ip", "netns", "exec", Ns(host), "socat", "-u", "OPEN:/dev/null", $"TCP:{address}:{port},connect-timeout={timeoutSeconds}");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds + 10));
        await p.WaitForExitAsync(cts.Token);
        return p.ExitCode == 0;
    }

    public void ApplyNft(string host, string rulesetFile)
    {
        var (code, output) = Run(false, "ip", "netns", "exec", Ns(host), "nft", "-f", rulesetFile);
        if (code != 0) throw new InvalidOperationException($"nft -f failed in {host}: {output}");
    }

    public long Counter(string host, string table, string counter)
    {
        var (_, output) = Run("ip", "netns", "exec", Ns(host), "nft", "-j", "list", "counter", "inet", table, counter);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("counter", out var c)) return c.GetProperty("packets").GetInt64();
        }
        throw new InvalidOperationException("counter not found: " + output);
    }

    public static (int Code, string Output) Run(params string[] args) => Run(true, args);

    public static (int Code, string Output) Run(bool check, params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException(string.Join(" ", args));
        }
        var output = stdout.Result + stderr.Result;
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"{string.Join(" ", args)} failed ({p.ExitCode}): {output}");
        return (p.ExitCode, output);
    }

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Skip(1)) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + args[0]);
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited) p.Kill(true);
                p.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            p.Dispose();
        }
        foreach (var ns in Enumerable.Reverse(_namespaces)) Run(false, "ip", "netns", "del", ns);
    }
}
