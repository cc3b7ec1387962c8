using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Forwarding;

public sealed class ForwarderTimeoutTests
{
    [Theory]
    [InlineData(null, 100)]
    [InlineData("5s", 5)]
    public async Task Forward_SilentUpstream_TimesOutWithGatewayTimeout(string? routeTimeout, int seconds)
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new ScriptedUpstream((_, _) =>
        {
            received.TrySetResult();
            return never.Task;
        });
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            Time = time,
            SeedAlice = false,
            ExtraRoutes = $"  - {{ name: silent, path: /silent, upstreams: [{upstream.Url}], resource: {{ name: silent, classification: public }}, auth: public"
                + (routeTimeout is null ? "" : $", upstream_timeout: {routeTimeout}") + " }",
        });
        using var api = h.Api();
        var pending = api.GetAsync("/silent/x");
        await received.Task.WaitAsync(TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(seconds - 1));
        await Task.Delay(200);
        Assert.False(pending.IsCompleted, "the upstream still has time to answer");
        time.Advance(TimeSpan.FromSeconds(2));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("upstream_timeout", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        never.TrySetResult(false);
    }

    [Fact]
    public async Task Forward_UpstreamThatKeepsSending_IsNotCutOffAfterTheTimeout()
    {
        // The timeout is for silence: each chunk re-arms it, so a response taking three timeouts in all completes.
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var next = new SemaphoreSlim(0);
        var sent = new SemaphoreSlim(0);
        await using var upstream = new ScriptedUpstream(async (_, stream) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray());
            for (var i = 0; i < 3; i++)
            {
                await next.WaitAsync();
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"2\r\nc{i}\r\n"));
                sent.Release();
            }

            await next.WaitAsync();
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            return true;
        });
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            Time = time,
            SeedAlice = false,
            ExtraRoutes = $"  - {{ name: trickle, path: /trickle, upstreams: [{upstream.Url}], resource: {{ name: trickle, classification: public }}, auth: public, upstream_timeout: 5s }}",
        });
        using var api = h.Api();
        var pending = api.GetAsync("/trickle/x", HttpCompletionOption.ResponseHeadersRead);
        for (var i = 0; i < 3; i++)
        {
            next.Release();
            await sent.WaitAsync(TimeSpan.FromSeconds(20));
            await Task.Delay(100); // the gateway reads the chunk and re-arms
            time.Advance(TimeSpan.FromSeconds(4)); // less than the timeout since the last chunk, 12 s in all
            await Task.Delay(100);
        }

        next.Release();
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("c0c1c2", await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(20)));
    }
}

/// <summary>With inline I/O, a route whose policy evaluates slowly has its decisions moved off the socket threads.</summary>
public sealed class SlowPolicyTests
{
    [Fact]
    public async Task Decide_SlowPolicy_MovesTheRoutesDecisionsOffTheIoThreads()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            ExtraPolicyFiles = new Dictionary<string, string>
            {
                ["slow.rego"] = """
                    package vigil.slow
                    import rego.v1
                    # Deliberately expensive: sums a large range on every request.
                    allow if sum([x | some x in numbers.range(1, 100000)]) > 0
                    """,
            },
            ExtraRoutes = "  - { name: slow, path: /slow, upstreams: [http://127.0.0.1:9], resource: { name: slow, classification: public }, auth: public, query: data.vigil.slow.allow }",
        });
        var slow = h.Server.State.Current.Routes.Single(r => r.Config.Name == "slow");
        using var api = h.Api();
        for (var i = 0; i < 25; i++)
        {
            // Past the warm-up (the first decisions of a route include JIT compilation and are not judged).
            using (await api.GetAsync("/public/x"))
            using (await api.GetAsync("/slow/x"))
            {
            }
        }

        var now = TimeProvider.System.GetUtcNow();
        Assert.True(slow.DecidesSlowly(now));
        Assert.False(slow.DecidesSlowly(now + Vigil.Server.Gateway.RouteRuntime.SlowDecisionHold + TimeSpan.FromSeconds(1)));
    }
}
