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
}
