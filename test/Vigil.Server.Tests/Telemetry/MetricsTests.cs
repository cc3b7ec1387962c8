using System.Net;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Telemetry;

/// <summary>The Prometheus endpoint at <c>/.vigil/metrics</c> on a real server: what it counts, and who may read it.</summary>
public sealed class MetricsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> GetAsync(VigilHarness h, string path)
    {
        using var client = h.Api();
        using var response = await client.GetAsync(path).WaitAsync(Timeout);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync().WaitAsync(Timeout));
    }

    private static async Task<PrometheusText> ScrapeAsync(VigilHarness h)
    {
        var (status, contentType, body) = await GetAsync(h, "/.vigil/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/plain", contentType);
        return new PrometheusText(body);
    }

    private static async Task FailLoginAsync(VigilHarness h, string user)
    {
        using var browser = h.Browser();
        var page = await browser.GetAsync("/.vigil/idp/login").WaitAsync(Timeout);
        page = await browser.SubmitAsync(page, "/.vigil/idp/login", new() { ["username"] = user, ["password"] = "wrong-password-1" }).WaitAsync(Timeout);
        Assert.True(page.IsLoginPage, $"expected the login page again, got {page.Status} {page.Url}");
    }

    [Fact]
    public async Task Scrape_AfterTraffic_CountsDecisionsLoginsBansAndUpstreamErrorsWithBoundedLabels()
    {
        var down = Ports.Free(); // nothing listens there: connections are refused
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            CatchAllRoute = false,
            Lockout = "{ max_failures_per_account: 2, max_failures_per_ip: 1000, window: 15m, ban: 1m, max_ban: 1h }",
            ExtraRoutes = $"  - {{ name: down, path: /down, upstreams: [http://127.0.0.1:{down}], resource: {{ name: down, classification: public }}, auth: public }}",
        }).WaitAsync(Timeout);

        // Allowed twice, one upstream down, unrouted, ambiguous.
        using (var client = h.Api())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/public/a").WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/public/b?user=alice").WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.BadGateway, (await client.GetAsync("/down").WaitAsync(Timeout)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/nowhere/alice").WaitAsync(Timeout)).StatusCode);
        }

        Assert.Equal(400, (await RawHttp.SendAsync(h.Port, "/public//x").WaitAsync(Timeout)).Status);

        // Two failures for eve ban the account; her third attempt is refused as banned. Alice signs in (a challenge on
        // /admin first) and, not an admin, is denied there.
        await FailLoginAsync(h, "eve");
        await FailLoginAsync(h, "eve");
        await FailLoginAsync(h, "eve");
        using (var browser = h.Browser())
        {
            var page = await browser.LoginAsync("/admin", "alice", "alice-password-1").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        }

        var m = await ScrapeAsync(h);
        const string Decisions = "vigil_gateway_decisions_total";
        Assert.Equal(2, m.Value(Decisions, ("route", "public"), ("decision", "allow")));
        Assert.Equal(1, m.Value(Decisions, ("route", "down"), ("decision", "allow")));
        Assert.Equal(1, m.Value(Decisions, ("route", "admin"), ("decision", "challenge")));
        Assert.Equal(1, m.Value(Decisions, ("route", "admin"), ("decision", "deny")));
        Assert.Equal(1, m.Value(Decisions, ("decision", "reject"), ("reason", "no_route")));
        Assert.Equal(1, m.Value(Decisions, ("decision", "reject"), ("reason", "bad_request")));

        // Nothing else was counted: neither Vigil's own pages (login, provider) nor the scrape itself.
        Assert.Equal(7, m.All(Decisions).Sum(s => s.Value));
        Assert.DoesNotContain(m.All(Decisions), s => s.Labels.Values.Any(v => v.Contains("alice", StringComparison.Ordinal) || v.Contains('/', StringComparison.Ordinal)));

        Assert.Equal(2, m.Value("vigil_gateway_request_duration_seconds_count", ("route", "public"), ("decision", "allow")));
        Assert.Equal(2, m.Value("vigil_gateway_request_duration_seconds_count", ("decision", "reject")));
        Assert.Equal(2, m.Value("vigil_gateway_request_duration_seconds_bucket", ("route", "public"), ("decision", "allow"), ("le", "+Inf")));
        Assert.Equal(1, m.Value("vigil_gateway_upstream_errors_total", ("route", "down"), ("kind", "connect_failed")));
        Assert.Single(m.All("vigil_gateway_upstream_errors_total"));

        Assert.Equal(1, m.Value("vigil_identity_logins_total", ("result", "success")));
        Assert.Equal(2, m.Value("vigil_identity_logins_total", ("result", "failure")));
        Assert.Equal(1, m.Value("vigil_identity_logins_total", ("result", "banned")));
        Assert.Equal(1, m.Value("vigil_identity_bans_total"));

        // The scrape itself is not a decision: a second one shows the same count.
        var again = await ScrapeAsync(h);
        Assert.Equal(7, again.All(Decisions).Sum(s => s.Value));
    }

    [Fact]
    public async Task Scrape_WebSocketUpgradeToADownUpstream_IsCountedAsAConnectFailure()
    {
        // Upgrades take YARP's path: its failures are counted with the same kinds as the forwarder's.
        var down = Ports.Free();
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            CatchAllRoute = false,
            ExtraRoutes = $"  - {{ name: down, path: /down, upstreams: [http://127.0.0.1:{down}], resource: {{ name: down, classification: public }}, auth: public }}",
        }).WaitAsync(Timeout);

        using (var socket = new System.Net.WebSockets.ClientWebSocket())
        {
            socket.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{h.Port}/down/ws"), CancellationToken.None).WaitAsync(Timeout));
            Assert.Equal(HttpStatusCode.BadGateway, socket.HttpStatusCode);
        }

        var m = await ScrapeAsync(h);
        Assert.Equal(1, m.Value("vigil_gateway_upstream_errors_total", ("route", "down"), ("kind", "connect_failed")));
        Assert.Single(m.All("vigil_gateway_upstream_errors_total"));
        Assert.Equal(1, m.Value("vigil_gateway_decisions_total", ("route", "down"), ("decision", "allow")));
    }

    [Fact]
    public async Task Scrape_DecisionLogGauges_FollowTheLog()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { SeedAlice = false }).WaitAsync(Timeout);
        using (var client = h.Api())
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/public/x").WaitAsync(Timeout)).StatusCode);
            }
        }

        await h.FlushLogAsync();
        var m = await ScrapeAsync(h);
        Assert.Equal(h.Server.DecisionLog.Written, m.Value("vigil_audit_records_written_total"));
        Assert.True(m.Value("vigil_audit_records_written_total") >= 3, m.Text);
        Assert.Equal(0, m.Value("vigil_audit_records_dropped_total"));
        Assert.Equal(0, m.Value("vigil_audit_records_pending"));
        Assert.Equal(1, m.Value("vigil_audit_healthy"));
    }

    [Fact]
    public async Task Scrape_FromAddressNotAllowed_AnswersNotFoundLikeAnUnknownPath()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            TelemetryYaml = "telemetry: { metrics: { allow: [10.0.0.0/8, \"::1\"] } }",
            TrustedProxies = "127.0.0.1",
        }).WaitAsync(Timeout);

        var unknown = await GetAsync(h, "/.vigil/no-such-endpoint");
        var metrics = await GetAsync(h, "/.vigil/metrics");
        Assert.Equal(HttpStatusCode.NotFound, metrics.Status);
        Assert.Equal(unknown, metrics);

        // The check is on the connection's address: X-Forwarded-For, even from a trusted proxy, does not open it.
        var forwarded = await RawHttp.SendAsync(h.Port, "/.vigil/metrics", headers: ["X-Forwarded-For: 10.1.2.3"]).WaitAsync(Timeout);
        Assert.Equal(404, forwarded.Status);
        Assert.DoesNotContain("vigil_", forwarded.Body, StringComparison.Ordinal);

        // The allow list follows a reload of the file.
        File.WriteAllText(h.ConfigPath, File.ReadAllText(h.ConfigPath).Replace("10.0.0.0/8", "127.0.0.1/32", StringComparison.Ordinal));
        Assert.Empty(h.Server.Reload(h.ConfigPath));
        await ScrapeAsync(h);
    }

    [Fact]
    public async Task Scrape_Disabled_AnswersNotFound()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { SeedAlice = false, TelemetryYaml = "telemetry: { metrics: { enabled: false } }" }).WaitAsync(Timeout);
        using (var client = h.Api())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/public/x").WaitAsync(Timeout)).StatusCode);
        }

        var (status, _, body) = await GetAsync(h, "/.vigil/metrics");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("vigil_", body, StringComparison.Ordinal);
    }
}
