using System.Collections.Concurrent;
using CsCheck;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Properties;

/// <summary>
/// The gateway's invariant on generated hostile requests, end to end through the real server to a recording upstream:
/// every request is either refused, or the host and path the upstream receives are exactly the host and path recorded
/// as decided (matched through the request id the upstream receives).
/// </summary>
public sealed class GatewayInvariantProperties : IAsyncLifetime
{
    private VigilHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await VigilHarness.StartAsync(new HarnessOptions
    {
        SeedAlice = false,
        CatchAllRoute = false,
        ExtraRoutes = """
              - { name: everything, path: /, upstreams: [$UPSTREAM], resource: { name: everything, classification: public }, auth: public, preserve_host: true }
              - { name: lenient, host: lenient.test, path: /files, upstreams: [$UPSTREAM], resource: { name: files, classification: public }, auth: public, preserve_host: true, allow_unusual_paths: true }
            """,
    });

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static readonly string[] PathPieces =
    [
        "admin", "ADMIN", "files", "a", ".", "..", "...", "admin.", "admin%20", "%2e", "%2E%2E", "%2f", "%5C", "%3B", ";", "%00", "%0d%0a", "%20", "%25",
        "%252e", "%c0%ae", "%e0%80%ae", "%EF%BD%81dmin", "%C4%B1", "%c3%a9", "%ff", "%", "%zz", "~", "%61dmin", "\\", "x.", "%7e", "%2B", "@", ":",
    ];

    private static readonly string[] HostPieces =
    [
        "admin", "ADMIN", "test", "lenient", "example", "", "-", "_", "127", "0", "0x7f", "256", "xn--bcher-kva", "[::1]", "[1.2.3.4]", "%2e", "a",
    ];

    private static readonly string[] PlainPathPieces = ["admin", "files", "a", "report.pdf", "x-y", "%61dmin", "caf%c3%a9", "~user"];

    private static readonly string[] PlainHostPieces = ["admin", "test", "lenient", "example", "a", "xn--bcher-kva", "10", "127.test"];

    private static Gen<string> Paths(string[] pieces) =>
        Gen.OneOf(pieces).Array[0, 6].Select(parts => "/" + string.Join("/", parts)).Select(Gen.OneOf("", "/", "?", "?q=%2e"), (p, q) => p + q);

    private static Gen<string> Hosts(string[] pieces, Gen<string> separator, Gen<string> end) =>
        Gen.OneOf(pieces).Array[1, 4].Select(separator, end, (labels, sep, e) => string.Join(sep, labels) + e);

    /// <summary>Half plain requests (so the forwarded side of the invariant is exercised), half hostile ones.</summary>
    private static readonly Gen<string> Target = Gen.Frequency((1, Paths(PlainPathPieces)), (1, Paths(PathPieces)), (1, Paths([.. PlainPathPieces, .. PathPieces])));

    private static readonly Gen<string> Host = Gen.Frequency(
        (2, Hosts(PlainHostPieces, Gen.Const("."), Gen.OneOf("", ":8080", ".", ".:80"))),
        (1, Hosts([.. PlainHostPieces, .. HostPieces], Gen.OneOf(".", ".."), Gen.OneOf("", ":8080", ".", "..", ".:80", ":"))));

    [Fact]
    public async Task AnyTargetAndHost_EitherRefusedOrForwardedExactlyAsDecided()
    {
        var sent = new ConcurrentBag<(string Target, string Host, string Marker, int Status)>();
        await PropertyRuns.SampleAsync(Gen.Select(Target, Host), async t =>
        {
            var (target, host) = t;
            var marker = "p" + Guid.NewGuid().ToString("N")[..12];
            var withMarker = target + (target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "marker=" + marker;
            var response = await RawHttp.SendAsync(_harness.Port, withMarker, host: host);
            sent.Add((withMarker, host, marker, response.Status));
        }, seed: 41, count: 400, longCount: 20_000);

        var log = await _harness.ReadLogAsync();
        var decided = log.Where(r => r.TryGetProperty("request_id", out _) && r.TryGetProperty("decision", out var d) && d.GetString() == "allow")
            .ToDictionary(r => r.GetProperty("request_id").GetString()!, r => (Host: r.GetProperty("host").GetString()!, Path: r.GetProperty("path").GetString()!));
        var received = _harness.Upstream.Received.ToList();
        var forwarded = 0;
        foreach (var (target, host, marker, status) in sent)
        {
            var got = received.Where(r => r.RawTarget.Contains("marker=" + marker, StringComparison.Ordinal)).ToList();
            if (got.Count == 0)
            {
                Assert.True(status is >= 400 and < 500, $"{target} Host: {host} answered {status} without reaching the upstream");
                continue;
            }

            forwarded++;
            var request = Assert.Single(got);
            Assert.True(decided.TryGetValue(request.Header("X-Vigil-Request-Id")!, out var facts), $"{target} Host: {host} was forwarded without an allow record");
            var path = request.RawTarget.Split('?')[0];
            Assert.True(facts.Path == path, $"{target} Host: {host}: decided path {facts.Path}, upstream received {path}");
            Assert.True(facts.Host == request.Header("X-Forwarded-Host"), $"{target} Host: {host}: decided host {facts.Host}, X-Forwarded-Host {request.Header("X-Forwarded-Host")}");
            var upstreamHost = request.Header("Host")!;
            var bareHost = upstreamHost.StartsWith('[') ? upstreamHost[..(upstreamHost.IndexOf(']', StringComparison.Ordinal) + 1)] : upstreamHost.Split(':')[0];
            Assert.True(facts.Host == bareHost, $"{target} Host: {host}: decided host {facts.Host}, upstream Host {upstreamHost}");
        }

        Assert.True(forwarded > sent.Count / 20, $"only {forwarded} of {sent.Count} generated requests were forwarded: the generator tests refusals only");
    }
}
