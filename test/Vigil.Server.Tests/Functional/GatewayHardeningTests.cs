using System.Text;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>Routes and a policy for the hardening tests: a lenient host, header pass-through, method overrides.</summary>
public sealed class HardeningFixture : IAsyncLifetime
{
    public const string MethodsPolicy = """
        package vigil.methods

        import rego.v1

        default decision := {"allow": false, "reason": "deletes are not allowed here"}

        decision := {"allow": true, "rule": "no_delete"} if input.request.method != "DELETE"
        """;

    public VigilHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await VigilHarness.StartAsync(new HarnessOptions
    {
        ExtraPolicyFiles = new Dictionary<string, string> { ["methods.rego"] = MethodsPolicy },
        ExtraRoutes = """
              - { name: lenient, host: lenient.test, path: /, upstreams: [$UPSTREAM], resource: { name: lenient, classification: public }, auth: public, allow_unusual_paths: true }
              - { name: lenient-admin, host: lenient.test, path: /admin, upstreams: [$UPSTREAM], resource: { name: lenient-admin, classification: restricted }, auth: public }
              - { name: passing, path: /passing, upstreams: [$UPSTREAM], resource: { name: passing, classification: public }, auth: public, pass_headers: [X-Auth-Token, X_Legacy_Id] }
              - { name: methods-strip, path: /methods-strip, upstreams: [$UPSTREAM], resource: { name: m1, classification: public }, auth: public, query: data.vigil.methods.decision }
              - { name: methods-decide, path: /methods-decide, upstreams: [$UPSTREAM], resource: { name: m2, classification: public }, auth: public, query: data.vigil.methods.decision, method_override: decide }
            """,
    });

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

/// <summary>
/// Issue 17: what the policy decided is exactly what the upstream receives — host, path, method and the headers
/// frameworks trust — over HTTP/1.1 against a recording upstream.
/// </summary>
public sealed class GatewayHardeningTests(HardeningFixture fixture) : IClassFixture<HardeningFixture>
{
    private VigilHarness H => fixture.Harness;

    private List<ReceivedRequest> ReceivedWith(string marker) =>
        H.Upstream.Received.Where(r => r.RawTarget.Contains(marker, StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData("admin.test..")]
    [InlineData("admin.test..:8080")]
    [InlineData("ADMIN.Test..")]
    [InlineData("admin.test...")]
    [InlineData("admin..test")]
    [InlineData(".admin.test")]
    [InlineData("admin.test.:")]
    [InlineData("admin_test")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("127.000.000.001")]
    [InlineData("[::ffff:127.0.0.1%25eth0]")]
    [InlineData("admin.test:99999")]
    public async Task Host_NotOneValidNameAfterOneNormalization_Is400AndNeverForwarded(string host)
    {
        var marker = "host" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"/public/x?marker={marker}", host: host);
        Assert.Equal(400, response.Status); // Vigil's ambiguous_request, or Kestrel's own refusal of the worst forms
        Assert.Empty(ReceivedWith(marker));
    }

    [Fact]
    public async Task Host_OneTrailingDot_IsTheSameHostForRoutingAndForwarding()
    {
        // admin.test. names admin.test: it takes the restricted admin-host route (sign-in required), never the catch-all.
        var response = await RawHttp.SendAsync(H.Port, "/x?marker=hostdot1", host: "Admin.Test.:80", headers: ["Accept: application/json"]);
        Assert.Equal(401, response.Status);
        Assert.Empty(ReceivedWith("marker=hostdot1"));

        var lenient = await RawHttp.SendAsync(H.Port, "/x?marker=hostdot2", host: "LENIENT.test.");
        Assert.Equal(200, lenient.Status);
        var got = Assert.Single(ReceivedWith("marker=hostdot2"));
        Assert.Equal("lenient.test", got.Header("X-Forwarded-Host"));
    }

    [Theory]
    [InlineData("/admin.")]
    [InlineData("/admin./x")]
    [InlineData("/admin%20/x")]
    [InlineData("/admin%2e/x")]
    [InlineData("/public/%c0%ae%c0%ae/admin")]
    [InlineData("/public/%c0%af")]
    [InlineData("/public/%e0%80%ae")]
    [InlineData("/%EF%BD%81dmin")]
    [InlineData("/public/%ed%a0%80")]
    [InlineData("/public/file%20")]
    [InlineData("/public/%C4%B1")]
    public async Task Path_ReadDifferentlyByCommonUpstreams_Is400ByDefault(string path)
    {
        var marker = "odd" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"{path}?marker={marker}");
        Assert.Equal(400, response.Status);
        Assert.Contains("ambiguous_request", response.Body, StringComparison.Ordinal);
        Assert.Empty(ReceivedWith(marker));
    }

    [Theory]
    [InlineData("/files/report.", "/files/report.")]
    [InlineData("/files/caf%EF%BD%81", "/files/caf%EF%BD%81")]
    [InlineData("/files/latin%e9", "/files/latin%E9")]
    public async Task Path_Unusual_PassesOnARouteThatAllowsIt(string path, string forwarded)
    {
        var marker = "ok" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"{path}?marker={marker}", host: "lenient.test");
        Assert.Equal(200, response.Status);
        Assert.Equal($"{forwarded}?marker={marker}", Assert.Single(ReceivedWith(marker)).RawTarget);
    }

    [Theory]
    [InlineData("/admin.")]
    [InlineData("/admin%20")]
    [InlineData("/admin./x")]
    [InlineData("/Admin..%20/x")]
    public async Task Path_Unusual_OnALenientRouteButAnotherRouteOnceTrimmed_Is400(string path)
    {
        var marker = "trim" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"{path}?marker={marker}", host: "lenient.test");
        Assert.Equal(400, response.Status);
        Assert.Empty(ReceivedWith(marker));
    }

    [Fact]
    public async Task TrustedFactHeaders_WholeFamiliesAreStripped_VigilSetsItsOwn()
    {
        string[] forged =
        [
            "X-Forwarded-Scheme: forged", "X-Forwarded-Uri: /forged", "X-Original-Uri: /forged", "X-Host: forged.test", "X-Remote-Addr: 10.6.6.6",
            "X-Originating-IP: 10.6.6.6", "Client-IP: 10.6.6.6", "X-ProxyUser-Ip: 10.6.6.6", "X-Auth-User: forged", "X-Forwarded-Port: 1",
            "X-Forwarded-Prefix: /forged", "X-Original-Method: forged", "X-Rewrite-Url: /forged", "X-Real-Ip: 10.6.6.6", "X-Remote-User: forged",
            "X-Auth-Request-Email: forged@example.test", "True-Client-IP: 10.6.6.6", "X-Client-IP: 10.6.6.6", "X-Forwarded: for=10.6.6.6",
            "X-Forwarded-Ssl: on", "X-Url-Scheme: forged", "Front-End-Https: on", "X-WebAuth-User: forged", "X-Pomerium-Jwt-Assertion: forged",
            "Cf-Access-Authenticated-User-Email: forged@example.test", "X-Ssl-Client-Cert: forged", "X-Envoy-Original-Path: /forged",
            "X-ARR-ClientCert: forged", "Forwarded: for=10.6.6.6;host=forged.test", "X-Amzn-Oidc-Identity: forged",
        ];
        var response = await RawHttp.SendAsync(H.Port, "/public/x?marker=family1", headers: [.. forged, "X-Kept: yes"]);
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith("marker=family1"));
        foreach (var (name, values) in got.Headers)
        {
            Assert.DoesNotContain(values, v => v.Contains("forged", StringComparison.Ordinal) || v.Contains("10.6.6.6", StringComparison.Ordinal) || v == "on" || v == "1");
        }

        Assert.Equal("yes", got.Header("X-Kept"));
        Assert.Equal("127.0.0.1", got.Header("X-Forwarded-For"));
        Assert.Equal("http", got.Header("X-Forwarded-Proto"));
        Assert.Equal("127.0.0.1", got.Header("X-Forwarded-Host"));
    }

    [Fact]
    public async Task PassHeaders_NamedOnesReachTheUpstream_OthersOfTheFamilyDoNot()
    {
        var response = await RawHttp.SendAsync(H.Port, "/passing/x?marker=pass1",
            headers: ["X-Auth-Token: token-1", "X_Legacy_Id: 7", "X-Auth-User: forged", "X_Other: 1", "X-Vigil-User: forged"]);
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith("marker=pass1"));
        Assert.Equal("token-1", got.Header("X-Auth-Token"));
        Assert.Equal("7", got.Header("X_Legacy_Id"));
        Assert.Null(got.Header("X-Auth-User"));
        Assert.Null(got.Header("X_Other"));
        Assert.Null(got.Header("X-Vigil-User"));
    }

    [Fact]
    public async Task UnderscoreHeaders_AreDropped_SoNoFramingLookAlikeReachesTheUpstream()
    {
        var response = await RawHttp.SendAsync(H.Port, "/public/x?marker=under1", method: "POST",
            headers: ["Content-Length: 5", "Transfer_Encoding: chunked", "X_Custom: 1", "Content_Length: 0"], body: "hello");
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith("marker=under1"));
        Assert.DoesNotContain(got.Headers.Keys, k => k.Contains('_', StringComparison.Ordinal));
        Assert.Equal("5", got.Header("Content-Length"));
    }

    [Theory]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    [InlineData("x_http_method_override")]
    public async Task MethodOverride_ByDefault_IsStrippedAndThePolicyDecidesTheRealMethod(string header)
    {
        var marker = "strip-" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"/methods-strip/x?marker={marker}", method: "POST", headers: [$"{header}: DELETE", "Content-Length: 0"]);
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith(marker));
        Assert.Equal("POST", got.Method);
        Assert.DoesNotContain(got.Headers.Keys, k => k.Contains("method", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task MethodOverride_OnADecideRoute_ThePolicyDecidesTheOverriddenMethod()
    {
        var denied = await RawHttp.SendAsync(H.Port, "/methods-decide/x?marker=mod1", method: "POST", headers: ["X-HTTP-Method-Override: delete", "Content-Length: 0"]);
        Assert.Equal(403, denied.Status);
        Assert.Empty(ReceivedWith("marker=mod1"));

        var allowed = await RawHttp.SendAsync(H.Port, "/methods-decide/x?marker=mod2", method: "POST", headers: ["X-HTTP-Method-Override: PATCH", "Content-Length: 0"]);
        Assert.Equal(200, allowed.Status);
        var got = Assert.Single(ReceivedWith("marker=mod2"));
        Assert.Equal("PATCH", got.Header("X-HTTP-Method-Override"));

        var conflicting = await RawHttp.SendAsync(H.Port, "/methods-decide/x?marker=mod3", method: "POST",
            headers: ["X-HTTP-Method-Override: PATCH", "X-Method-Override: DELETE", "Content-Length: 0"]);
        Assert.Equal(400, conflicting.Status);
        Assert.Empty(ReceivedWith("marker=mod3"));

        var log = await H.ReadLogAsync();
        Assert.Contains(log, r => Field(r, "path") == "/methods-decide/x" && Field(r, "method") == "DELETE" && Field(r, "decision") == "deny");
    }

    private static string? Field(System.Text.Json.JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;

    [Theory]
    [InlineData("Content-Length: +5")]
    [InlineData("Content-Length: 0x5")]
    [InlineData("Content-Length: 05, 5")]
    public async Task ContentLength_NotAPlainNumber_Is400AndNeverForwarded(string header)
    {
        var marker = "cl" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"/public/x?marker={marker}", method: "POST", headers: [header], body: "hello");
        Assert.Equal(400, response.Status);
        Assert.Empty(ReceivedWith(marker));
    }

    [Theory]
    [InlineData("5\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhello\n0\r\n\r\n")]
    [InlineData("5\r\nhello\r\n0\n\n")]
    [InlineData("fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    public async Task ChunkedBody_BrokenFraming_Is400ClientError_UpstreamGetsNothing(string chunked)
    {
        var marker = "ch" + Guid.NewGuid().ToString("N")[..8];
        var request = $"POST /public/x?marker={marker} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunked}";
        var response = await RawHttp.SendBytesAsync(H.Port, Encoding.Latin1.GetBytes(request));
        Assert.Equal(400, response.Status);
        Assert.Empty(ReceivedWith(marker));
    }

    [Fact]
    public async Task ChunkedBody_Valid_IsForwardedWholeWithItsLength()
    {
        var request = "POST /public/x?marker=chunkok HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        var response = await RawHttp.SendBytesAsync(H.Port, Encoding.Latin1.GetBytes(request));
        Assert.Equal(200, response.Status);
        var got = Assert.Single(ReceivedWith("marker=chunkok"));
        Assert.Equal("11", got.Header("Content-Length"));
        Assert.Null(got.Header("Transfer-Encoding"));
    }

    [Theory]
    [InlineData("Bad Name: x")]
    [InlineData("Bad\"Name: x")]
    [InlineData("Bad{Name}: x")]
    [InlineData("X-Esc: a\u001Bb")]
    [InlineData("X-Del: a\u007Fb")]
    [InlineData("X-Bell: \u0007")]
    public async Task HeaderNameNotAToken_OrValueWithControlCharacters_Is400(string header)
    {
        var marker = "tok" + Guid.NewGuid().ToString("N")[..8];
        var response = await RawHttp.SendAsync(H.Port, $"/public/x?marker={marker}", headers: [header]);
        Assert.Equal(400, response.Status);
        Assert.Empty(ReceivedWith(marker));
    }
}
