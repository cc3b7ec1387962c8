using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>The gateway on real servers: routing, decisions, identity headers, responses, decision log.</summary>
public sealed class GatewayTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    private List<ReceivedRequest> ReceivedWith(string marker) =>
        H.Upstream.Received.Where(r => r.RawTarget.Contains(marker, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task PublicRoute_Allowed_ReachesUpstreamWithNormalizedPath()
    {
        using var api = H.Api();
        using var response = await api.GetAsync("/public/%61bc?marker=pub1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var got = Assert.Single(ReceivedWith("marker=pub1"));
        Assert.Equal("/public/abc?marker=pub1", got.RawTarget);
        Assert.Equal("allow", got.Header("X-Vigil-Decision"));
        Assert.NotNull(response.Headers.GetValues("X-Vigil-Request-Id").Single());
    }

    [Fact]
    public async Task SpoofedIdentityHeaders_AllSpellings_NeverReachUpstream()
    {
        var response = await RawHttp.SendAsync(H.Port, "/public/x?marker=spoof1", headers:
        [
            "X-Vigil-User: admin", "x-vigil-user: admin2", "X_Vigil_User: admin3", "X-VIGIL-ROLES: admin", "X-Vigil-Assertion: forged",
            "X-Forwarded-User: admin", "X_Forwarded_Email: admin@example.test", "Remote-User: root", "X-Forwarded-For: 10.9.9.9",
            "X-Real-IP: 10.9.9.9", "Forwarded: for=10.9.9.9", "X-Vigil-User: admin4",
        ]);
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith("marker=spoof1"));
        foreach (var (name, values) in got.Headers)
        {
            Assert.DoesNotContain(values, v => v.Contains("admin", StringComparison.Ordinal) || v.Contains("root", StringComparison.Ordinal) || v.Contains("forged", StringComparison.Ordinal) || v.Contains("10.9.9.9", StringComparison.Ordinal));
            Assert.False(name.Contains('_', StringComparison.Ordinal), $"underscore header {name} reached the upstream");
        }

        Assert.Equal("127.0.0.1", got.Header("X-Forwarded-For"));
        Assert.Null(got.Header("X-Vigil-User"));
    }

    [Fact]
    public async Task ForwardedForFromUntrustedClient_IsNotBelievedByPolicy()
    {
        var spoofed = await RawHttp.SendAsync(H.Port, "/net?marker=xff1", headers: ["X-Forwarded-For: 10.9.9.9", "X-Real-IP: 10.9.9.9"]);
        Assert.Equal(403, spoofed.Status);
        Assert.Empty(ReceivedWith("marker=xff1"));
    }

    [Theory]
    [InlineData("/public/../admin")]
    [InlineData("/public/./../admin")]
    [InlineData("/public/%2e%2e/admin")]
    [InlineData("/public/%2E%2E/admin")]
    [InlineData("/public/.%2e/admin")]
    [InlineData("/public%2F..%2Fadmin")]
    [InlineData("/public/..%2fadmin")]
    [InlineData("/public/..%5Cadmin")]
    [InlineData("/public/..\\admin")]
    [InlineData("/public\\..\\admin")]
    [InlineData("/public;/../admin")]
    [InlineData("/public/..;/admin")]
    [InlineData("/public/%252e%252e/admin")]
    [InlineData("/public/%00/../admin")]
    [InlineData("/admin%00")]
    [InlineData("//admin")]
    [InlineData("/public//../admin")]
    [InlineData("/ADMIN")]
    [InlineData("/Admin/")]
    [InlineData("/admin;x=1")]
    [InlineData("/%61dmin")]
    [InlineData("/admin#fragment")]
    [InlineData("/public/..%252fadmin")]
    public async Task PathConfusion_TowardsDeniedRoute_NothingReachesUpstream(string target)
    {
        var before = H.Upstream.Received.Count;
        var response = await RawHttp.SendAsync(H.Port, target, headers: ["Accept: application/json"]);
        Assert.True(response.Status is 400 or 401 or 403 or 404, $"{target} -> {response.Status}");
        Assert.DoesNotContain(H.Upstream.Received.Skip(before), r => r.Path.Contains("admin", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("ADMIN.TEST")]
    [InlineData("admin.test.")]
    [InlineData("Admin.Test.:8080")]
    [InlineData("admin.test:1")]
    public async Task HostTricks_TowardsRestrictedHost_AreRoutedToItsPolicy(string host)
    {
        var before = H.Upstream.Received.Count;
        var response = await RawHttp.SendAsync(H.Port, "/public/hosttrick", host, ["Accept: application/json", "Authorization: Bearer x"]);
        Assert.Equal(401, response.Status);
        Assert.Equal(before, H.Upstream.Received.Count);
    }

    [Theory]
    [InlineData("evil.test@admin.test")]
    [InlineData("admin.test:80:80")]
    [InlineData("admin test")]
    [InlineData("")]
    public async Task MalformedHost_IsRejected(string host)
    {
        var before = H.Upstream.Received.Count;
        var response = await RawHttp.SendAsync(H.Port, "/public/x", host);
        Assert.Equal(400, response.Status);
        Assert.Equal(before, H.Upstream.Received.Count);
    }

    [Fact]
    public async Task DuplicateHostHeaders_AreRejected()
    {
        var before = H.Upstream.Received.Count;
        var response = await RawHttp.SendAsync(H.Port, "/public/x", "127.0.0.1", ["Host: admin.test"]);
        Assert.Equal(400, response.Status);
        Assert.Equal(before, H.Upstream.Received.Count);
    }

    [Fact]
    public async Task UnauthenticatedBrowser_IsRedirectedToLogin()
    {
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/somewhere?marker=unauth1");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(H.BaseUrl + ".vigil/idp/authorize?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Empty(ReceivedWith("marker=unauth1"));
    }

    [Fact]
    public async Task UnauthenticatedApiClient_Gets401WithWwwAuthenticate()
    {
        using var api = H.Api();
        using var response = await api.GetAsync("/somewhere?marker=unauth2");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(ReceivedWith("marker=unauth2"));
    }

    [Fact]
    public async Task PolicyEvaluationError_FailsClosed()
    {
        using var api = H.Api();
        using var response = await api.GetAsync("/broken?marker=broken1");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("policy_error", problem.RootElement.GetProperty("code").GetString());
        Assert.Empty(ReceivedWith("marker=broken1"));
    }

    [Fact]
    public async Task SignedInUser_ReachesUpstreamWithIdentityButWithoutVigilCookies()
    {
        await H.AddUserAsync("gina", "gina-password-1", ["engineer"], ["staff", "dev"]);
        using var browser = H.Browser();
        var page = await browser.LoginAsync("/home?marker=gina1", "gina", "gina-password-1");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("upstream gina@example.test", page.Html, StringComparison.Ordinal);
        var got = Assert.Single(ReceivedWith("marker=gina1"));
        Assert.Equal("gina@example.test", got.Header("X-Vigil-Email"));
        Assert.Equal("engineer", got.Header("X-Vigil-Roles"));
        Assert.Equal("dev,staff", got.Header("X-Vigil-Groups"));
        Assert.Equal("user", got.Header("X-Vigil-Subject-Type"));
        var cookie = got.Header("Cookie") ?? "";
        Assert.DoesNotContain("__vigil", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(".AspNetCore", cookie, StringComparison.Ordinal);

        // The upstream tried to overwrite the session cookie: the browser's session survives.
        var again = await browser.GetAsync("/home?marker=gina2");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.NotEqual("planted-by-upstream", browser.CookieValue(H.BaseUrl, "__vigil_session"));
    }

    [Fact]
    public async Task CookieHeaderHidingVigilCookiesBehindCommas_ReachesUpstreamWithoutThem()
    {
        // Some parsers split cookies at ',' too: a part that hides a Vigil cookie that way is not passed on.
        var result = await RawHttp.SendAsync(H.Port, "/public/c?marker=comma1", headers: ["Cookie: app=1, __vigil_session=smuggled; theme=dark"]);
        Assert.Equal(200, result.Status);
        var got = Assert.Single(ReceivedWith("marker=comma1"));
        Assert.Equal("theme=dark", got.Header("Cookie"));
    }

    [Fact]
    public async Task IdentityAssertion_VerifiesAgainstJwksWithRouteAudience()
    {
        await H.AddUserAsync("hank", "hank-password-1", ["engineer"], []);
        using var browser = H.Browser();
        await browser.LoginAsync("/page?marker=hank1", "hank", "hank-password-1");
        var assertion = Assert.Single(ReceivedWith("marker=hank1")).Header("X-Vigil-Assertion");
        Assert.NotNull(assertion);
        using var api = H.Api();
        var jwks = new JsonWebKeySet(await api.GetStringAsync("/.vigil/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = H.BaseUrl.ToString(),
            ValidAudience = "app",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = ["ES256"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("hank@example.test", result.Claims["email"]);
        var token = new JsonWebToken(assertion);
        Assert.True(token.ValidTo - token.IssuedAt <= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task DeniedBrowser_GetsHtmlPageWithReasonAndRequestId()
    {
        await H.AddUserAsync("ivan", "ivan-password-1", ["engineer"], []);
        using var browser = H.Browser();
        await browser.LoginAsync("/p?marker=ivan0", "ivan", "ivan-password-1");
        var page = await browser.GetAsync("/admin/settings?marker=ivan1");
        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Contains("admin role required", page.Html, StringComparison.Ordinal);
        Assert.Matches("id=\"request-id\">[0-9a-f]{24}<", page.Html);
        Assert.Empty(ReceivedWith("marker=ivan1"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/settings?marker=ivan2");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await browser.Http.SendAsync(request);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task AuditModeRoute_WouldDeny_PassesAndIsLogged()
    {
        await H.AddUserAsync("judy", "judy-password-1", ["engineer"], []);
        using var browser = H.Browser();
        await browser.LoginAsync("/p?marker=judy0", "judy", "judy-password-1");
        var page = await browser.GetAsync("/reports/q1?marker=judy1");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("would_deny", Assert.Single(ReceivedWith("marker=judy1")).Header("X-Vigil-Decision"));
        var log = await H.ReadLogAsync();
        var entry = Assert.Single(log, e => e.GetProperty("decision").GetString() == "would_deny" && e.GetProperty("path").GetString() == "/reports/q1");
        Assert.Equal("admin role required", entry.GetProperty("reason").GetString());
        Assert.Equal("reports", entry.GetProperty("route").GetString());
    }

    [Fact]
    public async Task DecisionLog_RecordsEveryDecisionWithRuleAndLatency_AndVerifies()
    {
        using var api = H.Api();
        (await api.GetAsync("/public/log?marker=log1")).Dispose();
        var log = await H.ReadLogAsync();
        var entry = log.Last(e => e.TryGetProperty("path", out var p) && p.GetString() == "/public/log");
        Assert.Equal("allow", entry.GetProperty("decision").GetString());
        Assert.Equal("public", entry.GetProperty("rule").GetString());
        Assert.True(entry.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Equal(64, entry.GetProperty("hash").GetString()!.Length);
        var verify = Vigil.Server.Audit.AuditChain.Verify(H.LogPath);
        Assert.True(verify.Ok, verify.Message);
    }

    [Fact]
    public async Task ServiceToken_ClientCredentials_ReachesApiAsService()
    {
        var token = await H.ServiceTokenAsync();
        var jwt = new JsonWebToken(token);
        Assert.True(jwt.ValidTo - jwt.IssuedAt <= TimeSpan.FromHours(1));
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports?marker=svc1");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var got = Assert.Single(ReceivedWith("marker=svc1"));
        Assert.Equal("service", got.Header("X-Vigil-Subject-Type"));
        Assert.Equal("reports-service", got.Header("X-Vigil-User"));
    }

    [Fact]
    public async Task Discovery_AdvertisesCodeFlowWithPkceAndJwks()
    {
        using var api = H.Api();
        using var doc = JsonDocument.Parse(await api.GetStringAsync("/.well-known/openid-configuration"));
        var root = doc.RootElement;
        Assert.Equal(H.BaseUrl.ToString(), root.GetProperty("issuer").GetString());
        Assert.Contains("S256", root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("client_credentials", root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        var jwks = new JsonWebKeySet(await api.GetStringAsync(root.GetProperty("jwks_uri").GetString()));
        Assert.NotEmpty(jwks.Keys);
    }
}

/// <summary>WebSockets are authorized like any request.</summary>
public sealed class WebSocketTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    [Fact]
    public async Task WebSocket_AllowedRoute_IsProxied()
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{H.Port}/public/ws?marker=ws1"), cts.Token);
        await socket.SendAsync("hi"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
        var buffer = new byte[256];
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        Assert.Equal("echo:hi:", System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
        Assert.Contains(H.Upstream.Received, r => r.RawTarget.Contains("marker=ws1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebSocket_WithoutSession_IsRefusedBeforeUpstream()
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{H.Port}/admin/ws?marker=ws2"), cts.Token));
        Assert.DoesNotContain(H.Upstream.Received, r => r.RawTarget.Contains("marker=ws2", StringComparison.Ordinal));
    }
}

/// <summary>Route options that shape the upstream request apply to upgraded (WebSocket) requests too.</summary>
public sealed class WebSocketRouteOptionTests
{
    [Fact]
    public async Task WebSocket_PreserveHostAndStripPath_ShapeTheUpgradeRequest()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            ExtraRoutes = "  - { name: wsopt, path: /wsopt, upstreams: [$UPSTREAM], resource: { name: wsopt, classification: public }, auth: public, preserve_host: true, strip_path: true }",
        });
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{h.Port}/wsopt/live?marker=ws3"), cts.Token);
        await socket.SendAsync("hi"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
        var buffer = new byte[256];
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        Assert.StartsWith("echo:hi", System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count), StringComparison.Ordinal);
        var received = Assert.Single(h.Upstream.Received, r => r.RawTarget.Contains("marker=ws3", StringComparison.Ordinal));
        Assert.Equal("/live?marker=ws3", received.RawTarget);
        Assert.Equal($"127.0.0.1:{h.Port}", received.Header("Host"));
    }
}

/// <summary>Many concurrent requests from different users: every decision is the user's own.</summary>
public sealed class ConcurrencyTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    [Fact]
    public async Task ConcurrentRequests_FromAdminAndEngineer_EachGetTheirOwnDecision()
    {
        var secret = (await H.AddUserAsync("conc-admin", "conc-password-1", ["admin"], [], totp: true))!;
        await H.AddUserAsync("conc-eng", "conc-password-2", ["engineer"], []);
        using var admin = H.Browser();
        await admin.LoginAsync("/c?marker=c0", "conc-admin", "conc-password-1", () => VigilHarness.Totp(secret, DateTimeOffset.UtcNow));
        using var engineer = H.Browser();
        await engineer.LoginAsync("/c?marker=c1", "conc-eng", "conc-password-2");

        async Task<HttpStatusCode> Get(BrowserClient client, int i)
        {
            using var response = await client.Http.GetAsync($"/admin/c?n={i}");
            return response.StatusCode;
        }

        var tasks = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? Get(admin, i) : Get(engineer, i)).ToList();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(120));
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.Forbidden, results[i]);
        }

        Assert.DoesNotContain(H.Upstream.Received, r => r.Path == "/admin/c" && r.Header("X-Vigil-Email") == "conc-eng@example.test");
    }
}
