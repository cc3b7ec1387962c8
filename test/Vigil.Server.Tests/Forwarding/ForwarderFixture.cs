using System.Collections.Concurrent;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// One Vigil with routes to scripted raw upstreams: <c>/raw/KEY</c> (shared), <c>/reuse/KEY</c>, <c>/smuggle/KEY</c> and
/// <c>/stale/KEY</c> (one upstream each, so connection counts are per test), <c>/down</c> (nothing listening) and
/// <c>/lb/KEY</c> (round-robin over a dead upstream and the shared one), <c>/small/KEY</c> (the shared one, request bodies up to 1 KB), <c>/strip</c> (the shared one under <c>/base</c>, prefix stripped), <c>/keephost</c> (client Host kept).
/// Each test registers the handler for its own KEY.
/// </summary>
public sealed class ForwarderFixture : IAsyncLifetime
{
    public ConcurrentDictionary<string, Func<RawRequest, Stream, Task<bool>>> Handlers { get; } = new();

    public ScriptedUpstream Shared { get; private set; } = null!;
    public ScriptedUpstream Reuse { get; private set; } = null!;
    public ScriptedUpstream Smuggle { get; private set; } = null!;
    public ScriptedUpstream Stale { get; private set; } = null!;
    public VigilHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Shared = new ScriptedUpstream(DispatchAsync);
        Reuse = new ScriptedUpstream(DispatchAsync);
        Smuggle = new ScriptedUpstream(DispatchAsync);
        Stale = new ScriptedUpstream(DispatchAsync);
        var down = Ports.Free();
        Harness = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            ExtraRoutes = $$"""
                  - { name: raw, path: /raw, upstreams: [{{Shared.Url}}], resource: { name: raw, classification: public }, auth: public }
                  - { name: reuse, path: /reuse, upstreams: [{{Reuse.Url}}], resource: { name: reuse, classification: public }, auth: public }
                  - { name: smuggle, path: /smuggle, upstreams: [{{Smuggle.Url}}], resource: { name: smuggle, classification: public }, auth: public }
                  - { name: stale, path: /stale, upstreams: [{{Stale.Url}}], resource: { name: stale, classification: public }, auth: public }
                  - { name: down, path: /down, upstreams: [http://127.0.0.1:{{down}}], resource: { name: down, classification: public }, auth: public }
                  - { name: small, path: /small, upstreams: [{{Shared.Url}}], resource: { name: small, classification: public }, auth: public, max_request_body: 1KB }
                  - { name: strip, path: /strip, upstreams: ["{{Shared.Url}}/base"], resource: { name: strip, classification: public }, auth: public, strip_path: true }
                  - { name: keephost, path: /keephost, upstreams: [{{Shared.Url}}], resource: { name: keephost, classification: public }, auth: public, preserve_host: true }
                  - { name: lb, path: /lb, upstreams: [http://127.0.0.1:{{down}}, {{Shared.Url}}], resource: { name: lb, classification: public }, auth: public }
                """,
        });
    }

    private Task<bool> DispatchAsync(RawRequest request, Stream stream)
    {
        var target = request.RequestLine.Split(' ')[1];
        var key = target.Split('?')[0].Split('/')[2];
        return Handlers.TryGetValue(key, out var handler) ? handler(request, stream) : ScriptedUpstream.Always("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")(request, stream);
    }

    public async Task DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Shared.DisposeAsync();
        await Reuse.DisposeAsync();
        await Smuggle.DisposeAsync();
        await Stale.DisposeAsync();
    }
}
