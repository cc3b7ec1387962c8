using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Storage;
using Vigil.Server.Tls;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>Options for a test Vigil instance.</summary>
public sealed record HarnessOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public string Lockout { get; init; } = "{ max_failures_per_account: 50, max_failures_per_ip: 1000, window: 15m, ban: 1m, max_ban: 1h }";
    public string? IdentityYaml { get; init; }
    /// <summary>More route lines; <c>$UPSTREAM</c> stands for the harness's recording upstream.</summary>
    public string? ExtraRoutes { get; init; }
    public string? TrustedProxies { get; init; }
    public bool Watch { get; init; }
    public int? Port { get; init; }
    public IReadOnlyDictionary<string, string> ExtraPolicyFiles { get; init; } = new Dictionary<string, string>();
    public bool SeedAlice { get; init; } = true;

    /// <summary>Host of the public URL (Kestrel still listens on 127.0.0.1). WebAuthn needs a name: use <c>localhost</c>.</summary>
    public string PublicHost { get; init; } = "127.0.0.1";

    /// <summary>A <c>storage:</c> section (e.g. PostgreSQL); default: SQLite in the data folder.</summary>
    public string? StorageYaml { get; init; }

    /// <summary>A data folder shared with another node (keys, so both accept the same cookies); the decision log stays per node.</summary>
    public string? SharedDataDir { get; init; }

    /// <summary>An <c>audit:</c> section; default: the log in the data folder.</summary>
    public string? AuditYaml { get; init; }

    /// <summary>A <c>redis:</c> section (the revocation bus); default: none.</summary>
    public string? RedisYaml { get; init; }

    /// <summary>How often revocations are reloaded from the store; default: the product's 2 s.</summary>
    public TimeSpan? RevocationRefreshInterval { get; init; }

    /// <summary>A <c>telemetry:</c> section; default: none (metrics served to loopback).</summary>
    public string? TelemetryYaml { get; init; }

    /// <summary>Whether the catch-all route <c>app</c> (host any, path <c>/</c>) is published; without it, unknown paths have no route.</summary>
    public bool CatchAllRoute { get; init; } = true;

    /// <summary>Another node's public URL (nodes behind one address share it); default: this node's listener.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>An https listener and public URL (and bearer issuer); default: plain http on loopback.</summary>
    public bool Https { get; init; }

    /// <summary>With <see cref="Https"/>: a <c>tls:</c> mapping for <c>server:</c> (absolute paths); default: the generated self-signed certificate.</summary>
    public string? TlsYaml { get; init; }

    /// <summary>With <see cref="Https"/>: the roots test clients trust; default: the listener's own certificate at start (self-signed).</summary>
    public IReadOnlyList<X509Certificate2>? TrustedRoots { get; init; }
}

/// <summary>A real Vigil server (provider + gateway + decision log) and a recording upstream, on loopback.</summary>
public sealed class VigilHarness : IAsyncDisposable
{
    public const string ServiceSecret = "reports-service-secret-0123456789";

    private VigilHarness(string dir, int port, string publicHost, string scheme, TestUpstream upstream, VigilServer server, string configPath)
    {
        PublicHost = publicHost;
        Scheme = scheme;
        Directory = dir;
        Port = port;
        Upstream = upstream;
        Server = server;
        ConfigPath = configPath;
    }

    public string Directory { get; }
    public int Port { get; }
    public string PublicHost { get; }
    public string Scheme { get; }
    public Uri BaseUrl => new($"{Scheme}://{PublicHost}:{Port}");

    /// <summary>Over https: the roots test clients trust (<see cref="HarnessOptions.TrustedRoots"/>); null over http.</summary>
    public X509Certificate2Collection? TrustedRoots { get; private set; }
    public TestUpstream Upstream { get; }
    public VigilServer Server { get; }
    public string ConfigPath { get; }
    public string PolicyDir => Path.Combine(Directory, "policies");
    public string LogPath => Path.Combine(Directory, "data", "decisions.log");

    public static async Task<VigilHarness> StartAsync(HarnessOptions? options = null)
    {
        options ??= new HarnessOptions();
        var dir = Path.Combine(Path.GetTempPath(), "vigil-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "policies"));
        File.WriteAllText(Path.Combine(dir, "policies", "gateway.rego"), TestPolicies.Gateway);
        File.WriteAllText(Path.Combine(dir, "policies", "api.rego"), TestPolicies.Api);
        File.WriteAllText(Path.Combine(dir, "policies", "net.rego"), TestPolicies.Network);
        File.WriteAllText(Path.Combine(dir, "policies", "broken.rego"), TestPolicies.Broken);
        foreach (var (name, text) in options.ExtraPolicyFiles)
        {
            var file = Path.Combine(dir, "policies", name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }
        var upstream = await TestUpstream.StartAsync().ConfigureAwait(false);
        var port = options.Port ?? Ports.Free();
        var scheme = options.Https ? "https" : "http";
        var up = upstream.Address.ToString().TrimEnd('/');
        var identity = options.IdentityYaml ?? $$"""
            identity:
              provider: builtin
              builtin:
                access_token_lifetime: 15m
                lockout: {{options.Lockout}}
                clients:
                  - client_id: reports-service
                    client_secret: {{ServiceSecret}}
                    grant_types: [client_credentials]
            """;
        var yaml = $$"""
            version: 1
            server:
              listen: [{{scheme}}://127.0.0.1:{{port}}]
              public_url: {{options.PublicUrl?.ToString() ?? $"{scheme}://{options.PublicHost}:{port}"}}
              {{(options.Https && options.TlsYaml is not null ? options.TlsYaml : "")}}
              data_dir: {{options.SharedDataDir ?? "./data"}}
              trusted_proxies: [{{options.TrustedProxies ?? ""}}]
            {{identity}}
            policies:
              directories: [./policies]
            {{options.AuditYaml ?? "audit: { path: ./data/decisions.log }"}}
            {{options.StorageYaml ?? ""}}
            {{options.RedisYaml ?? ""}}
            {{options.TelemetryYaml ?? ""}}
            routes:
              - { name: public, path: /public, upstreams: [{{up}}], resource: { name: public-page, classification: public }, auth: public }
              - { name: broken, path: /broken, upstreams: [{{up}}], resource: { name: broken }, auth: public, query: data.vigil.broken.x }
              - { name: net, path: /net, upstreams: [{{up}}], resource: { name: net }, auth: public, query: data.vigil.net.allow }
              - { name: admin, path: /admin, upstreams: [{{up}}], resource: { name: admin-console, classification: restricted } }
              - { name: reports, path: /reports, upstreams: [{{up}}], resource: { name: reports, classification: confidential }, mode: audit }
              - name: api
                path: /api
                upstreams: [{{up}}]
                resource: { name: reports-api, classification: internal }
                auth: jwt
                jwt: { issuer: "{{scheme}}://{{options.PublicHost}}:{{port}}/", audiences: [reports-api] }
                query: data.vigil.api.allow
              - { name: admin-host, host: admin.test, path: /, upstreams: [{{up}}], resource: { name: admin-host, classification: restricted } }
            {{(options.CatchAllRoute ? $"  - {{ name: app, path: /, upstreams: [{up}], resource: {{ name: app, classification: internal, labels: {{ team: platform }} }} }}" : "")}}
            {{(options.ExtraRoutes ?? "").Replace("$UPSTREAM", up, StringComparison.Ordinal)}}
            """;
        var configPath = Path.Combine(dir, "vigil.yaml");
        File.WriteAllText(configPath, yaml);
        var config = ConfigLoader.LoadFile(configPath);
        var server = VigilServer.Create(config, new VigilServerOptions { TimeProvider = options.Time, WatchConfiguration = options.Watch, RevocationRefreshInterval = options.RevocationRefreshInterval });
        await server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var harness = new VigilHarness(dir, port, options.PublicHost, scheme, upstream, server, configPath);
        if (options.Https)
        {
            harness.TrustedRoots = [.. options.TrustedRoots ?? [X509CertificateLoader.LoadCertificate(server.Services.GetRequiredService<ServerCertificateStore>().Certificate.RawData)]];
        }

        if (options.SeedAlice)
        {
            await harness.AddUserAsync("alice", "alice-password-1", ["engineer"], ["staff"]).ConfigureAwait(false);
        }
        return harness;
    }

    /// <summary>Adds a user; with <paramref name="totp"/> it is enrolled and the secret is returned.</summary>
    public async Task<string?> AddUserAsync(string name, string password, string[] roles, string[] groups, bool totp = false, bool disabled = false, bool mfaRequired = false)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var user = await users.AddAsync(name, password, $"{name}@example.test", null, roles, groups, mfaRequired: totp || mfaRequired).ConfigureAwait(false);
        string? secret = null;
        if (totp)
        {
            secret = UserService.NewTotpSecret();
            await users.EnrollTotpAsync(user, secret, 0).ConfigureAwait(false);
        }

        if (disabled)
        {
            await users.SetDisabledAsync(name, true).ConfigureAwait(false);
        }

        return secret;
    }

    public static string Totp(string secret, DateTimeOffset at) =>
        new OtpNet.Totp(OtpNet.Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    public BrowserClient Browser(bool followRedirects = true) => new(BaseUrl, followRedirects, TrustedRoots);

    public string SigningKeyPath => Path.Combine(Directory, "data", "idp-signing.pem");

    public HttpClient Api() => new(BrowserClient.Trusting(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false }, TrustedRoots))
    {
        BaseAddress = BaseUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async Task<string> ServiceTokenAsync()
    {
        using var client = Api();
        using var response = await client.PostAsync("/.vigil/idp/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "reports-service", ["client_secret"] = ServiceSecret, ["scope"] = "reports-api",
        })).ConfigureAwait(false);
        var json = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.IsSuccessStatusCode, json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }

    public async Task FlushLogAsync() => await Server.DecisionLog.FlushAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

    public async Task<List<System.Text.Json.JsonElement>> ReadLogAsync()
    {
        await FlushLogAsync().ConfigureAwait(false);
        var lines = new List<System.Text.Json.JsonElement>();
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(System.Text.Json.JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        // A graceful stop gets 20 s (then the host stops waiting for connections and background work); under a loaded
        // CI machine a node's drain once took the host's whole default 30 s, which this wait then also spent.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await Server.StopAsync(grace.Token).WaitAsync(TimeSpan.FromSeconds(45)).ConfigureAwait(false);
        }

        await Server.DisposeAsync().ConfigureAwait(false);
        await Upstream.DisposeAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
