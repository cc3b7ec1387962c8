using System.Net;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// The gateway while its decision log cannot be written (a real tmpfs that runs full): with <c>on_failure: deny</c>
/// nothing is forwarded and health reports the node degraded; with <c>allow</c> requests pass. Both recover by
/// themselves once the disk has room.
/// </summary>
public sealed class AuditFailureTests : IDisposable
{
    private readonly SmallDisk _disk = SmallDisk.Mount();

    public void Dispose() => _disk.Dispose();

    private async Task<VigilHarness> StartAsync(string onFailure) => await VigilHarness.StartAsync(new HarnessOptions
    {
        AuditYaml = $"audit: {{ path: {Path.Combine(_disk.Path, "decisions.log")}, on_failure: {onFailure} }}",
        SeedAlice = false,
    });

    /// <summary>Fills the disk, then sends requests until their records find it full (the log file's last page may still take one or two).</summary>
    private async Task RunFullAsync(VigilHarness h, HttpClient api)
    {
        _disk.Fill();
        for (var i = 0; i < 50 && h.Server.DecisionLog.Healthy; i++)
        {
            (await api.GetAsync($"/public/while-filling-{i}")).Dispose();
            await h.FlushLogAsync();
        }

        Assert.False(h.Server.DecisionLog.Healthy);
    }

    [Fact]
    public async Task DiskFull_OnFailureDeny_RefusesEveryRequestUntilTheLogWorksAgain()
    {
        await using var h = await StartAsync("deny");
        using var api = h.Api();
        using (var first = await api.GetAsync("/public/ok"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await RunFullAsync(h, api);

        h.Upstream.Received.Clear();
        using (var refused = await api.GetAsync("/public/refused"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("audit_unavailable", await refused.Content.ReadAsStringAsync());
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        }

        using (var health = await api.GetAsync("/.vigil/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("decision log", await health.Content.ReadAsStringAsync());
        }

        Assert.Empty(h.Upstream.Received);

        // Room again: the log finds out by itself (retrying every second) and the gateway forwards again.
        _disk.Free();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (true)
            {
                using var health = await api.GetAsync("/.vigil/health", deadline.Token);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                await Task.Delay(100, deadline.Token);
            }
        }

        using (var again = await api.GetAsync("/public/again"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Single(h.Upstream.Received, r => r.Path == "/public/again");
        await h.FlushLogAsync();
        var log = await File.ReadAllTextAsync(Path.Combine(_disk.Path, "decisions.log"));
        Assert.Contains("\"decision\":\"resumed\"", log);
        Assert.Contains("/public/again", log);
    }

    [Fact]
    public async Task DiskFull_OnFailureAllow_KeepsForwardingButReportsDegraded()
    {
        await using var h = await StartAsync("allow");
        using var api = h.Api();
        await RunFullAsync(h, api);

        using (var passed = await api.GetAsync("/public/passed"))
        {
            Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        }

        Assert.Contains(h.Upstream.Received, r => r.Path == "/public/passed");
        using var health = await api.GetAsync("/.vigil/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
    }
}
