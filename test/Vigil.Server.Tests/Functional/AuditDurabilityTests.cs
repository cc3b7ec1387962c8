using System.Collections.Concurrent;
using System.Net;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// <c>audit.durability</c> through the real gateway: with <c>written</c> (default) and <c>synced</c> the upstream
/// only ever sees a request whose decision record is already in the log file — allowed and would-deny (audit-mode
/// route) alike; with <c>async</c> the request is forwarded without waiting and the record follows.
/// </summary>
public sealed class AuditDurabilityTests
{
    private const string AuditModeRoute = "  - { name: watched, path: /watched, upstreams: [$UPSTREAM], resource: { name: watched, classification: restricted }, auth: public, mode: audit }";

    private static Task<VigilHarness> StartAsync(string durability) => VigilHarness.StartAsync(new HarnessOptions
    {
        AuditYaml = $"audit: {{ path: ./data/decisions.log, durability: {durability} }}",
        SeedAlice = false,
        ExtraRoutes = AuditModeRoute,
    });

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData("written")]
    [InlineData("synced")]
    public async Task Forwarded_TheUpstreamSeesARequestOnlyOnceItsRecordIsInTheLog(string durability)
    {
        await using var h = await StartAsync(durability);
        Assert.Equal(durability, h.Server.DecisionLog.Durability.ToString().ToLowerInvariant());
        var seen = new ConcurrentQueue<string>();
        var unrecorded = new ConcurrentQueue<string>();
        h.Upstream.OnRequest = request =>
        {
            var id = request.Header("X-Vigil-Request-Id") ?? "(none)";
            seen.Enqueue(id);
            if (!ReadShared(h.LogPath).Contains($"\"request_id\":\"{id}\"", StringComparison.Ordinal))
            {
                unrecorded.Enqueue($"{request.Path} ({id})");
            }
        };

        using var api = h.Api();
        for (var i = 0; i < 10; i++)
        {
            using var response = await api.GetAsync(i % 2 == 0 ? $"/public/one-{i}" : $"/watched/one-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            using var response = await api.GetAsync(i % 2 == 0 ? $"/public/many-{i}" : $"/watched/many-{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        })).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(34, seen.Count);
        Assert.Empty(unrecorded);
        var log = await h.ReadLogAsync();
        Assert.Equal(17, log.Count(r => r.GetProperty("decision").GetString() == "would_deny"));
        Assert.Equal(17, log.Count(r => r.GetProperty("decision").GetString() == "allow"));
    }

    [Fact]
    public async Task Async_ForwardsAndTheRecordFollows()
    {
        await using var h = await StartAsync("async");
        using var api = h.Api();
        using (var response = await api.GetAsync("/public/async"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var log = await h.ReadLogAsync();
        Assert.Contains(log, r => r.GetProperty("path").GetString() == "/public/async" && r.GetProperty("decision").GetString() == "allow");
    }
}
