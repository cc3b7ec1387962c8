using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Admin;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Gateway;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Identity;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Server.Telemetry;
using Vigil.Server.Tls;

namespace Vigil.Server;

/// <summary>
/// One Vigil process: identity provider, gateway (policy enforcement point), decision log. Build it from a validated
/// <see cref="VigilConfig"/>, start it, stop it; <see cref="StopAsync"/> flushes the decision log.
/// </summary>
public sealed class VigilServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly VigilMetrics _metrics;

    private VigilServer(WebApplication app, VigilMetrics metrics)
    {
        _app = app;
        _metrics = metrics;
    }

    /// <summary>The addresses Kestrel actually listens on (ports resolved).</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <summary>The decision log (tests flush it).</summary>
    public DecisionLog DecisionLog => _app.Services.GetRequiredService<DecisionLog>();

    internal IServiceProvider Services => _app.Services;

    internal GatewayState State => _app.Services.GetRequiredService<GatewayState>();

    /// <summary>
    /// Makes socket completions run inline on the I/O threads, as <see cref="ServerConfig.InlineIo"/> asks. .NET reads this
    /// once, when the first socket is created, so hosts call it before creating any (the CLI does, right after loading
    /// the configuration); later calls have no effect on an already running socket engine.
    /// </summary>
    public static void PrepareProcess(VigilConfig config)
    {
        if (config.Server.InlineIo && Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Everything start-up would check, without starting: the configuration (already validated by the loader, TLS
    /// certificate included), the policies and every route's query, upstream CA files and JWT settings. Throws
    /// <see cref="ConfigException"/> with every error; returns a one-line summary of what was checked.
    /// </summary>
    public static string Check(VigilConfig config)
    {
        using var backchannel = new HttpClient();
        using var pools = new UpstreamPools(TimeProvider.System);
        _ = new GatewayRuntimeFactory(TimeProvider.System, backchannel, pools).Build(config);
        var policyFiles = config.Policies.Directories.Where(Directory.Exists)
            .Sum(d => Directory.EnumerateFiles(d, "*.rego", SearchOption.AllDirectories).Count(f => !f.EndsWith("_test.rego", StringComparison.Ordinal)));
        var tls = config.Server.Listen.Any(l => l.Scheme == "https")
            ? config.Server.Tls?.Certificate is not null ? ServerCertificate.Load(config.Server.Tls).Describe() : "a generated development certificate"
            : null;
        return $"{config.Routes.Count} route(s), {policyFiles} policy file(s), every route query compiles; listeners {string.Join(", ", config.Server.Listen)}" +
            (tls is null ? "" : $"; TLS: {tls}") + $"; storage {config.Storage.Provider.ToString().ToLowerInvariant()}";
    }

    /// <summary>Builds a server; throws <see cref="ConfigException"/> when the configuration or policies are invalid.</summary>
    public static VigilServer Create(VigilConfig config, VigilServerOptions? options = null)
    {
        options ??= new VigilServerOptions();
        var time = options.TimeProvider;
        PrivateFiles.CreateFolder(config.Server.DataDir);

        // Back-channel calls to public_url (bearer-token routes whose issuer is the built-in provider) accept the
        // listener's own certificate, so a self-signed or private-CA one works; other hosts validate as usual.
        var ownCertificate = new OwnCertificateTrust(config.Server.PublicUrl);
        var backchannel = new HttpClient(ownCertificate.CreateHandler()) { Timeout = TimeSpan.FromSeconds(15) };
        var pools = new UpstreamPools(time);
        var factory = new GatewayRuntimeFactory(time, backchannel, pools);
        var runtime = factory.Build(config);

        // Vigil is configured by vigil.yaml alone: no appsettings.json reloading, whose file watcher on the content root
        // (the data folder) would otherwise wake on every decision-log write.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Vigil",
            ContentRootPath = config.Server.DataDir,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel > LogLevel.Warning ? options.LogLevel : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("OpenIddict", LogLevel.Warning);

        // "No XML encryptor configured": the key ring sits in data_dir/keys with mode 0600, as docs/operations.md says;
        // the warning at every first start says nothing an operator can act on.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error);

        // Hosting's per-request diagnostics (an Activity and a logging scope for every request) only run when this
        // category logs; Vigil's decision log already records every request.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        ConfigureKestrel(builder.WebHost, config, ownCertificate);

        var services = builder.Services;
        var metrics = new VigilMetrics();
        services.AddSingleton(metrics);
        MetricsEndpoint.AddServices(services, config.Telemetry.Metrics, metrics);
        services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        // A stop drains requests and background work for at most 20 s, inside Kubernetes' default 30 s grace period, so
        // the decision log's final flush runs before a SIGKILL could cut it off.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        services.AddSingleton(config);
        services.AddSingleton(time);
        services.AddSingleton(factory);
        services.AddSingleton(backchannel);
        services.AddSingleton(sp => new GatewayState(runtime, factory, sp.GetRequiredService<ILogger<GatewayState>>()));
        services.AddSingleton(sp => new DecisionLog(config.Audit.Path, sp.GetRequiredService<ILogger<DecisionLog>>(), config.Audit.MaxFileSize, time, config.Audit.Durability));
        services.AddHostedService(sp => sp.GetRequiredService<DecisionLog>());
        services.AddSingleton(new AssertionSigner(AssertionSigner.LoadOrCreateKey(Path.Combine(config.Server.DataDir, "assertion-signing.pem")), config.Server.PublicUrl.ToString(), time));
        services.AddSingleton<ForwarderHttpClient>();
        services.AddSingleton(pools);
        services.AddSingleton(new Http1Forwarder(time, TimeSpan.FromSeconds(10)));
        services.AddSingleton(new SessionCache(time));
        services.AddHttpForwarder();
        services.AddRouting();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__vigil_idp_af";
            o.Cookie.Path = "/.vigil/idp";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.FormFieldName = "__vigil_csrf";
        });
        services.AddDataProtection().SetApplicationName("vigil").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(config.Server.DataDir, "keys")));
        services.AddDbContext<VigilDbContext>(o => VigilDbContext.Configure(o, config.Storage, config.Server.DataDir));
        services.AddScoped(sp => new UserService(sp.GetRequiredService<VigilDbContext>(), time) { Bus = sp.GetService<RevocationBus>() });
        services.AddSingleton(sp => new WebAuthnRuntime(config.Server.PublicUrl, sp.GetRequiredService<ILogger<WebAuthnRuntime>>()));

        // Login state every node must share lives in the store; these are per request, on the request's context.
        services.AddScoped(sp => new WebAuthnChallengeStore(sp.GetRequiredService<VigilDbContext>(), time, WebAuthnRuntime.ChallengeLifetime));
        services.AddScoped<WebAuthnService>();
        var lockout = config.Identity.Builtin?.Lockout ?? new LockoutConfig();
        services.AddScoped(sp => new LoginThrottle(sp.GetRequiredService<VigilDbContext>(), lockout, time, sp.GetRequiredService<DecisionLog>(), sp.GetRequiredService<ILogger<LoginThrottle>>(), metrics));

        var gatewaySecret = IdpKeys.LoadGatewaySecret(config.Server.DataDir);
        AddIdentityProvider(services, config);
        services.AddHostedService(sp => new ClientSeeder(sp, config, gatewaySecret));
        if (config.Redis is { } redis)
        {
            services.AddSingleton(sp => new RevocationBus(redis, sp.GetRequiredService<ILogger<RevocationBus>>()));
        }

        services.AddSingleton(sp => new SessionRevocations(sp.GetRequiredService<IServiceScopeFactory>(), time, sp.GetRequiredService<ILogger<SessionRevocations>>(),
            sp.GetService<RevocationBus>(), options.RevocationRefreshInterval));
        services.AddHostedService(sp => sp.GetRequiredService<SessionRevocations>());
        if (config.Redis is not null)
        {
            services.AddSingleton(sp => new RevocationListener(sp.GetRequiredService<RevocationBus>(), sp.GetRequiredService<SessionRevocations>(), time, sp.GetRequiredService<ILogger<RevocationListener>>()));
            services.AddHostedService(sp => sp.GetRequiredService<RevocationListener>());
        }
        services.AddSingleton<SessionActivity>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionActivity>());
        SessionSetup.Add(services, config, gatewaySecret, time, ownCertificate);
        if (options.WatchConfiguration && config.SourcePath is not null)
        {
            services.AddHostedService(sp => new ConfigWatcher(sp.GetRequiredService<GatewayState>(), config.SourcePath));
        }

        var app = builder.Build();
        metrics.Observe(app.Services.GetRequiredService<DecisionLog>());
        app.UseMiddleware<GatewayMiddleware>();
        MetricsEndpoint.Use(app, config.Telemetry.Metrics);
        app.UseAuthentication();
        app.UseRouting();
        IdpEndpoints.Map(app);
        VigilEndpoints.Map(app);
        app.MapFallback(() => Microsoft.AspNetCore.Http.Results.NotFound());
        return new VigilServer(app, metrics);
    }

    /// <summary>Creates or upgrades the store, then starts; throws <see cref="StoreException"/> when the store cannot be used.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStoreAsync(cancellationToken).ConfigureAwait(false);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting requests and flushes the decision log.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Runs until the host is asked to stop (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStoreAsync(cancellationToken).ConfigureAwait(false);
        await _app.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reloads routes and policies from the configuration file now; returns the errors (empty on success).</summary>
    public IReadOnlyList<ConfigError> Reload(string path) => State.Reload(path);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>
    /// Schema work before the host starts, on a context without the host's loggers, so an unreachable database is one
    /// <see cref="StoreException"/> (a clear message) instead of logged stack traces from EF Core and the host.
    /// </summary>
    private async Task EnsureStoreAsync(CancellationToken cancellationToken)
    {
        var config = _app.Services.GetRequiredService<VigilConfig>();
        await using var db = new VigilDbContext(VigilDbContext.CreateOptions(config.Storage, config.Server.DataDir));
        await db.EnsureSchemaAsync(_app.Services.GetRequiredService<TimeProvider>(), cancellationToken).ConfigureAwait(false);
    }

    private static void AddIdentityProvider(IServiceCollection services, VigilConfig config)
    {
        var openiddict = services.AddOpenIddict().AddCore(o => o.UseEntityFrameworkCore().UseDbContext<VigilDbContext>());
        if (config.Identity.Builtin is not { } builtin)
        {
            return;
        }

        openiddict.AddServer(o =>
        {
            o.SetIssuer(config.Server.PublicUrl);
            o.SetAuthorizationEndpointUris(ReturnUrls.AuthorizePath.TrimStart('/'));
            o.SetTokenEndpointUris(".vigil/idp/token");
            o.SetJsonWebKeySetEndpointUris(".vigil/idp/jwks");
            o.SetConfigurationEndpointUris(".well-known/openid-configuration");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.AllowClientCredentialsFlow();
            o.AllowRefreshTokenFlow();
            o.RegisterScopes(["openid", "profile", "email", "roles", "groups", "offline_access", .. IdpEndpoints.ApiAudiences(config)]);
            o.RegisterClaims("sub", "name", "email", "role", "groups", "amr", "auth_time", "preferred_username");
            o.AddSigningKey(IdpKeys.LoadSigningKey(config.Server.DataDir));
            o.AddEncryptionKey(IdpKeys.LoadEncryptionKey(config.Server.DataDir));
            o.DisableAccessTokenEncryption();
            o.SetAccessTokenLifetime(builtin.AccessTokenLifetime);
            o.SetIdentityTokenLifetime(TimeSpan.FromMinutes(10));
            o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2));
            o.SetRefreshTokenLifetime(TimeSpan.FromHours(8));
            var aspnet = o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough();
            if (config.Server.PublicUrl.Scheme == "http")
            {
                aspnet.DisableTransportSecurityRequirement(); // validation only allows plain HTTP on loopback
            }
        });
    }

    private static void ConfigureKestrel(IWebHostBuilder webHost, VigilConfig config, OwnCertificateTrust ownCertificate)
    {
        var https = config.Server.Listen.Any(l => l.Scheme == "https");
        if (https)
        {
            // Loaded now so that a bad certificate stops the start; then served (and reloaded) by ServerCertificateStore.
            var initial = LoadOrCreateCertificate(config);
            webHost.ConfigureServices(services =>
            {
                services.AddSingleton(sp =>
                {
                    var store = new ServerCertificateStore(initial, config.Server.Tls?.Certificate is null ? null : config.Server.Tls, sp.GetRequiredService<TimeProvider>(),
                        sp.GetRequiredService<ILogger<ServerCertificateStore>>());
                    ownCertificate.Use(store);
                    return store;
                });
                services.AddHostedService(sp => sp.GetRequiredService<ServerCertificateStore>());
            });
        }

        if (config.Server.InlineIo)
        {
            webHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        }

        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Upstream response headers are relayed byte for byte (Latin-1 keeps every byte), as other proxies do.
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            // Content-Length must be digits only (RFC 9112 6.2); Kestrel's parser alone takes "+167".
            kestrel.RequestHeaderEncodingSelector = ContentLengthEncoding.Select;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.MaxRequestLineSize = RequestNormalizer.MaxTargetLength + 64;
            foreach (var listen in config.Server.Listen)
            {
                void Configure(ListenOptions o)
                {
                    o.Protocols = HttpProtocols.Http1AndHttp2;
                    if (listen.Scheme == "https")
                    {
                        var store = kestrel.ApplicationServices.GetRequiredService<ServerCertificateStore>();
                        o.UseHttps(h =>
                        {
                            h.ServerCertificate = store.Certificate;
                            h.SslProtocols = ListenerTlsPolicy.Protocols;
                            // Each handshake takes the store's current certificate with its intermediates, so a renewed
                            // certificate applies to new connections without a restart, and Vigil's protocol and cipher
                            // suite floor, whatever the system's OpenSSL configuration allows.
                            h.OnAuthenticate = (_, ssl) =>
                            {
                                ssl.ServerCertificate = null;
                                ssl.ServerCertificateSelectionCallback = null;
                                ssl.ServerCertificateContext = store.Context;
                                ListenerTlsPolicy.Apply(ssl);
                            };
                        });
                    }
                    else
                    {
                        o.Protocols = HttpProtocols.Http1;
                    }
                }

                if (listen.Host is "localhost")
                {
                    kestrel.ListenLocalhost(listen.Port, Configure);
                }
                else if (IPAddress.TryParse(listen.Host.Trim('[', ']'), out var ip))
                {
                    kestrel.Listen(ip, listen.Port, Configure);
                }
                else
                {
                    kestrel.ListenAnyIP(listen.Port, Configure);
                }
            }
        });
    }

    private static LoadedCertificate LoadOrCreateCertificate(VigilConfig config)
    {
        if (config.Server.Tls?.Certificate is not null)
        {
            return ServerCertificate.Load(config.Server.Tls);
        }

        var devPath = Path.Combine(config.Server.DataDir, "tls-dev.pfx");
        if (File.Exists(devPath))
        {
            return ServerCertificate.Load(new TlsConfig(devPath, null));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Vigil development certificate", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        if (IPAddress.TryParse(config.Server.PublicUrl.Host.Trim('[', ']'), out var ip))
        {
            san.AddIpAddress(ip);
        }
        else
        {
            san.AddDnsName(config.Server.PublicUrl.Host);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        var pfx = created.Export(X509ContentType.Pkcs12);
        File.WriteAllBytes(devPath, pfx);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(devPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return ServerCertificate.Load(new TlsConfig(devPath, null));
    }
}
