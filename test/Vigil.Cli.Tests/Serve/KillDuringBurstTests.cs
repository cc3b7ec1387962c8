using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Cli.Tests.Infrastructure;
using Vigil.Server.Audit;
using Xunit.Abstractions;

namespace Vigil.Cli.Tests.Serve;

/// <summary>
/// Issue 17: <c>vigil serve</c> killed with SIGKILL in the middle of a burst of allowed requests. Every request the
/// upstream received (matched by the <c>X-Vigil-Request-Id</c> the gateway gave it) has its decision record in the log;
/// the log verifies as the crash left it (<c>vigil audit verify</c>), and the next start continues the chain.
/// </summary>
public sealed class KillDuringBurstTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-kill-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string LogPath => Path.Combine(_dir, "data", "decisions.log");

    [Theory]
    [InlineData("written")]
    [InlineData("synced")]
    public async Task Sigkill_MidBurst_EveryRequestTheUpstreamReceivedIsInTheLog(string durability)
    {
        var clock = Stopwatch.StartNew();
        await using var upstream = await RecordingUpstream.StartAsync(signalAt: 150);
        var port = FreePort();
        var config = WriteConfig(port, upstream.Port, durability);

        using (var vigil = await ServeAsync(config, port))
        {
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: serving");
            // 32 clients send allowed requests back to back until the gateway is gone.
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(10) };
            var clients = Enumerable.Range(0, 32).Select(c => Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/app/{c}-{i}"));
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        return; // the gateway died
                    }
                }
            })).ToArray();

            await upstream.Reached.Task.WaitAsync(Wait);
            vigil.Process.Kill(); // SIGKILL: no shutdown, no flush
            await vigil.Process.WaitForExitAsync().WaitAsync(Wait);
            await Task.WhenAll(clients).WaitAsync(Wait);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: killed");
        var received = upstream.Received.ToArray();
        var (logged, torn) = ReadLog();
        var unrecorded = received.Where(id => !logged.Contains(id)).ToList();
        output.WriteLine($"{durability}: the upstream received {received.Length} requests; {logged.Count} decision records in the log; cut-off last line: {torn} bytes; checkpoint at seq {AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(LogPath))?.Seq}");
        Assert.True(received.Length >= upstream.SignalAt);
        Assert.True(unrecorded.Count == 0, $"{unrecorded.Count} of {received.Length} forwarded requests have no decision record: {string.Join(", ", unrecorded.Take(5))}");

        // The log as the crash left it verifies (a cut-off last line is named, not taken for tampering) ...
        var verify = await VigilCli.RunAsync("audit", "verify", LogPath);
        output.WriteLine(verify.Out + verify.Err);
        Assert.True(verify.Exit == 0, verify.Out + verify.Err);

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: verified");
        // ... and the next start (here the decision log alone, in-process: a second `vigil serve` would double the
        // test's time) removes a cut-off line and continues the chain.
        var log = new DecisionLog(LogPath, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        Assert.True(await log.RecordAndWaitAsync(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UtcNow, RequestId = "after-the-crash", Decision = "allow" }).AsTask().WaitAsync(Wait));
        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);
        var after = AuditChain.Verify(LogPath);
        Assert.True(after.Ok, after.Message);
        Assert.DoesNotContain("cut off", after.Message, StringComparison.Ordinal);
        var (loggedAfter, tornAfter) = ReadLog();
        Assert.Equal(0, tornAfter);
        Assert.Equal(logged.Count + 1, loggedAfter.Count);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {after.Message}");
    }

    /// <summary>The request ids of the log's whole lines, and the length of a cut-off last line.</summary>
    private (HashSet<string> RequestIds, long Torn) ReadLog()
    {
        var bytes = File.ReadAllBytes(LogPath);
        var torn = AuditChain.TornTailLength(LogPath);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, (int)(bytes.Length - torn)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var record = JsonDocument.Parse(line);
            if (record.RootElement.GetProperty("decision").GetString() == "allow")
            {
                ids.Add(record.RootElement.GetProperty("request_id").GetString()!);
            }
        }

        return (ids, torn);
    }

    private string WriteConfig(int port, int upstreamPort, string durability)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "policies"));
        File.WriteAllText(Path.Combine(_dir, "policies", "gateway.rego"), "package vigil.gateway\n\nimport rego.v1\n\ndecision := {\"allow\": true, \"rule\": \"burst\"}\n");
        var path = Path.Combine(_dir, "vigil.yaml");
        File.WriteAllText(path, $$"""
            version: 1
            server: { listen: ["http://127.0.0.1:{{port}}"], public_url: "http://127.0.0.1:{{port}}", data_dir: ./data }
            policies: { directories: [./policies] }
            audit: { path: ./data/decisions.log, durability: {{durability}} }
            routes:
              - { name: app, path: /app, upstreams: ["http://127.0.0.1:{{upstreamPort}}"], resource: { name: app, classification: public }, auth: public }
            """);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts <c>vigil serve</c> (the built executable) and waits until it answers its health check.</summary>
    private static async Task<Served> ServeAsync(string config, int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "vigil.dll"), "serve", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        var served = new Served(Process.Start(start)!);
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var deadline = new CancellationTokenSource(Wait);
            while (true)
            {
                Assert.False(served.Process.HasExited, "vigil serve exited: " + served.Output);
                try
                {
                    using var health = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/.vigil/health"), deadline.Token);
                    if (health.StatusCode == HttpStatusCode.OK)
                    {
                        return served;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(100, deadline.Token);
            }
        }
        catch
        {
            served.Dispose();
            throw;
        }
    }

    /// <summary>A running <c>vigil serve</c> and what it printed; disposing kills it if it still runs.</summary>
    private sealed class Served : IDisposable
    {
        public Served(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public StringBuilder Output { get; } = new();

        private void Append(string? line)
        {
            lock (Output)
            {
                Output.AppendLine(line);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }
    }
}
