using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly string Base = Path.GetTempPath();

    private static ConfigException Fails(string yaml) => Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, Base));

    [Fact]
    public void LoadFile_ExampleConfiguration_Loads()
    {
        var path = Path.Combine(RepoRoot(), "examples", "gateway", "vigil.yaml");
        var config = ConfigLoader.LoadFile(path);
        Assert.Equal(3, config.Routes.Count);
        Assert.Equal(AuthMode.Jwt, config.Routes[2].Auth);
        Assert.Equal(EnforcementMode.Audit, config.Routes[2].Mode);
        Assert.Equal("restricted", config.Routes[1].Resource.Classification);
        Assert.Equal(TimeSpan.FromMinutes(15), config.Identity.Builtin!.AccessTokenLifetime);
    }

    [Fact]
    public void Parse_SeveralMistakes_ListsEveryErrorWithItsLine()
    {
        var ex = Fails("""
            version: 1
            server:
              listen: [http://127.0.0.1:8080]
              colour: blue
            routes:
              - name: a
                upstreams: [ftp://x]
                mode: maybe
              - name: b
                path: /b
                upstreams: [http://127.0.0.1:9]
                auth: kerberos
                resource: { classification: secret }
            """);
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.UnknownKey && e.Path == "server.colour" && e.Line == 4);
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].upstreams[0]" && e.Line == 7);
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].mode" && e.Line == 8);
        Assert.Contains(ex.Errors, e => e.Path == "routes[1].auth" && e.Line == 12);
        Assert.Contains(ex.Errors, e => e.Path == "routes[1].resource.classification" && e.Line == 13);
        Assert.True(ex.Errors.Count >= 5);
        Assert.Contains("(4:", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("2h")]
    [InlineData("soon")]
    public void Parse_UpstreamTimeoutOutOfRange_IsRefusedWithLocation(string value)
    {
        var ex = Fails($"server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - {{ name: a, path: /a, upstreams: [http://127.0.0.1:9], upstream_timeout: {value} }}\n");
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].upstream_timeout" && e.Line == 4);
    }

    [Theory]
    [InlineData("512MB", 512L << 20)]
    [InlineData("1GB", 1L << 30)]
    [InlineData("4096", 4096L)]
    [InlineData("off", long.MaxValue)]
    public void Parse_AuditMaxFileSize_IsRead(string value, long bytes)
    {
        var config = ConfigLoader.Parse($"server:\n  listen: [http://127.0.0.1:1]\naudit:\n  max_file_size: {value}\n", Base);
        Assert.Equal(bytes, config.Audit.MaxFileSize);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("big")]
    [InlineData("-5MB")]
    public void Parse_AuditMaxFileSizeInvalid_IsRefusedWithLocation(string value)
    {
        var ex = Fails($"server:\n  listen: [http://127.0.0.1:1]\naudit:\n  max_file_size: {value}\n");
        Assert.Contains(ex.Errors, e => e.Path == "audit.max_file_size" && e.Line == 4);
    }

    [Theory]
    [InlineData("", AuditFailureMode.Deny)]
    [InlineData("  on_failure: deny\n", AuditFailureMode.Deny)]
    [InlineData("  on_failure: allow\n", AuditFailureMode.Allow)]
    public void Parse_AuditOnFailure_DefaultsToDeny(string line, AuditFailureMode expected)
    {
        var config = ConfigLoader.Parse($"server:\n  listen: [http://127.0.0.1:1]\naudit:\n  max_file_size: 1GB\n{line}", Base);
        Assert.Equal(expected, config.Audit.OnFailure);
    }

    [Fact]
    public void Parse_AuditOnFailureInvalid_IsRefusedWithLocation()
    {
        var ex = Fails("server:\n  listen: [http://127.0.0.1:1]\naudit:\n  on_failure: ignore\n");
        Assert.Contains(ex.Errors, e => e.Path == "audit.on_failure" && e.Line == 4 && e.Message.Contains("deny, allow", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", RouteConfig.DefaultMaxRequestBody)]
    [InlineData(", max_request_body: 64KB", 64L << 10)]
    [InlineData(", max_request_body: 0", 0L)]
    [InlineData(", max_request_body: off", null)]
    public void Parse_MaxRequestBody_IsReadPerRoute(string option, long? expected)
    {
        var config = ConfigLoader.Parse($"server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - {{ name: a, path: /a, upstreams: [http://127.0.0.1:9]{option} }}\n", Base);
        Assert.Equal(expected, config.Routes[0].MaxRequestBody);
    }

    [Theory]
    [InlineData("big")]
    [InlineData("-1")]
    [InlineData("10TB")]
    public void Parse_MaxRequestBodyInvalid_IsRefusedWithLocation(string value)
    {
        var ex = Fails($"server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - {{ name: a, path: /a, upstreams: [http://127.0.0.1:9], max_request_body: {value} }}\n");
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].max_request_body" && e.Line == 4);
    }

    [Fact]
    public void Parse_PreserveHostAndStripPath_AreReadAndCheckedAsBooleans()
    {
        var config = ConfigLoader.Parse("server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - { name: a, path: /a, upstreams: [http://127.0.0.1:9], preserve_host: true, strip_path: on }\n  - { name: b, path: /b, upstreams: [http://127.0.0.1:9] }\n", Base);
        Assert.True(config.Routes[0].PreserveHost);
        Assert.True(config.Routes[0].StripPath);
        Assert.False(config.Routes[1].PreserveHost);
        Assert.False(config.Routes[1].StripPath);
        var ex = Fails("server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - { name: a, path: /a, upstreams: [http://127.0.0.1:9], strip_path: yes please }\n");
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].strip_path" && e.Line == 4);
    }

    [Fact]
    public void Parse_UpstreamTimeout_IsReadPerRoute()
    {
        var config = ConfigLoader.Parse("server:\n  listen: [http://127.0.0.1:1]\nroutes:\n  - { name: a, path: /a, upstreams: [http://127.0.0.1:9], upstream_timeout: 30s }\n  - { name: b, path: /b, upstreams: [http://127.0.0.1:9] }\n", Base);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Routes[0].UpstreamTimeout);
        Assert.Equal(RouteConfig.DefaultUpstreamTimeout, config.Routes[1].UpstreamTimeout);
    }

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    public void Parse_WildcardTrustedProxies_IsRefusedAsInsecure(string proxies)
    {
        var ex = Fails($"server:\n  listen: [http://127.0.0.1:1]\n  trusted_proxies: [{proxies}]\n");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Insecure && e.Path.StartsWith("server.trusted_proxies", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ExternalIssuerOverPlainHttp_IsRefused()
    {
        var ex = Fails("""
            server: { listen: [http://127.0.0.1:1] }
            identity:
              provider: corp
              external: [{ name: corp, issuer: "http://login.example.com/", client_id: vigil, client_secret: s }]
            """);
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Insecure && e.Path == "identity.external[0].issuer");
    }

    [Fact]
    public void Parse_PlainHttpListenerOnPublicAddress_IsRefused()
    {
        var ex = Fails("server: { listen: [http://0.0.0.0:80] }");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Insecure && e.Path == "server.listen[0]");
    }

    [Fact]
    public void Parse_AccessTokensLongerThanOneHour_AreRefused()
    {
        var ex = Fails("server: { listen: [http://127.0.0.1:1] }\nidentity: { builtin: { access_token_lifetime: 2h } }");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Insecure && e.Path == "identity.builtin.access_token_lifetime");
    }

    [Theory]
    [InlineData("/a//b")]
    [InlineData("/a/../b")]
    [InlineData("/a/%2e")]
    [InlineData("/.vigil/x")]
    [InlineData("relative")]
    public void Parse_AmbiguousOrReservedRoutePath_IsRefused(string path)
    {
        var ex = Fails($"server: {{ listen: [http://127.0.0.1:1] }}\nroutes: [{{ name: r, path: \"{path}\", upstreams: [http://127.0.0.1:2] }}]");
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].path");
    }

    [Fact]
    public void Parse_JwtRouteWithoutAudience_IsRefused()
    {
        var ex = Fails("server: { listen: [http://127.0.0.1:1] }\nroutes: [{ name: r, upstreams: [http://127.0.0.1:2], auth: jwt, jwt: { issuer: \"http://127.0.0.1:1/\" } }]");
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].jwt.audiences");
    }

    [Fact]
    public void Parse_YamlSyntaxError_ReportsItsLine()
    {
        var ex = Fails("server:\n  listen: [http://127.0.0.1:1\nroutes: x: y");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Syntax && e.Line > 0);
    }

    [Fact]
    public void Parse_DuplicateRouteNames_AreRefused()
    {
        var ex = Fails("server: { listen: [http://127.0.0.1:1] }\nroutes:\n  - { name: r, path: /a, upstreams: [http://127.0.0.1:2] }\n  - { name: r, path: /b, upstreams: [http://127.0.0.1:2] }");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Duplicate && e.Line == 4);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("15m", 900_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("00:00:05", 5_000)]
    public void TryParseDuration_KnownUnits_Parse(string text, double ms)
    {
        Assert.True(ConfigLoader.TryParseDuration(text, out var value));
        Assert.Equal(ms, value.TotalMilliseconds);
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Vigil.slnx")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        }

        return dir;
    }
}
