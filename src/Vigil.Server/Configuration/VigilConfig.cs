using System.Net;

namespace Vigil.Server.Configuration;

/// <summary>The whole <c>vigil.yaml</c>, validated. Paths are absolute (resolved against the file's folder).</summary>
public sealed record VigilConfig
{
    public required ServerConfig Server { get; init; }
    public required IdentityConfig Identity { get; init; }
    public required SessionConfig Session { get; init; }
    public required PolicyConfig Policies { get; init; }
    public required AuditConfig Audit { get; init; }
    public required IReadOnlyList<RouteConfig> Routes { get; init; }

    /// <summary>The file this configuration was read from, if any.</summary>
    public string? SourcePath { get; init; }
}

/// <summary>Listeners, public URL, TLS, trusted proxies and the data folder.</summary>
public sealed record ServerConfig
{
    /// <summary>Listener URLs, e.g. <c>https://0.0.0.0:8443</c>. Plain HTTP is only accepted on loopback.</summary>
    public required IReadOnlyList<Uri> Listen { get; init; }

    /// <summary>The URL browsers use to reach Vigil; the built-in provider's issuer. Defaults to the first listener.</summary>
    public required Uri PublicUrl { get; init; }

    /// <summary>TLS certificate (PKCS#12). When an https listener has none, a self-signed development certificate is generated.</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary>Proxies whose <c>X-Forwarded-For</c> is believed. Default: none.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary>Folder for the SQLite store, keys and the decision log.</summary>
    public required string DataDir { get; init; }
}

/// <summary>A PKCS#12 certificate file and its password.</summary>
public sealed record TlsConfig(string? Certificate, string? Password);

/// <summary>Identity: the built-in provider and external OIDC providers.</summary>
public sealed record IdentityConfig
{
    /// <summary>The built-in provider; null when disabled.</summary>
    public BuiltinIdpConfig? Builtin { get; init; }

    public IReadOnlyList<ExternalProviderConfig> External { get; init; } = [];

    /// <summary>The provider gateway sessions log in with: <c>builtin</c> or the name of an external provider.</summary>
    public string Provider { get; init; } = "builtin";
}

/// <summary>Settings of the built-in OIDC provider.</summary>
public sealed record BuiltinIdpConfig
{
    /// <summary>Access token lifetime; at most one hour. Default 15 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    public IReadOnlyList<ClientConfig> Clients { get; init; } = [];

    public LockoutConfig Lockout { get; init; } = new();
}

/// <summary>An OAuth client of the built-in provider.</summary>
public sealed record ClientConfig
{
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public IReadOnlyList<Uri> RedirectUris { get; init; } = [];
    /// <summary><c>authorization_code</c> and/or <c>client_credentials</c>.</summary>
    public IReadOnlyList<string> GrantTypes { get; init; } = ["authorization_code"];
}

/// <summary>Brute-force protection: failures within <see cref="Window"/> lead to a ban that doubles up to <see cref="MaxBan"/>.</summary>
public sealed record LockoutConfig
{
    public int MaxFailuresPerAccount { get; init; } = 5;
    public int MaxFailuresPerIp { get; init; } = 20;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan Ban { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxBan { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>An external OIDC provider (discovery at <c>issuer/.well-known/openid-configuration</c>).</summary>
public sealed record ExternalProviderConfig
{
    public required string Name { get; init; }
    public required Uri Issuer { get; init; }
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
}

/// <summary>The gateway session cookie.</summary>
public sealed record SessionConfig
{
    public string CookieName { get; init; } = "__vigil_session";
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(8);
}

/// <summary>Where the Rego policies (and their <c>data.json</c>) are.</summary>
public sealed record PolicyConfig
{
    public IReadOnlyList<string> Directories { get; init; } = [];

    /// <summary>Query used by routes that name none.</summary>
    public string DefaultQuery { get; init; } = "data.vigil.gateway.decision";

    /// <summary>Deadline of one evaluation; exceeding it denies.</summary>
    public TimeSpan EvaluationTimeout { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>The decision log.</summary>
public sealed record AuditConfig
{
    /// <summary>JSON-lines file, hash-chained.</summary>
    public required string Path { get; init; }
}

/// <summary>How a route's callers authenticate.</summary>
public enum AuthMode
{
    Session,
    Jwt,
    Public,
}

/// <summary>Whether a route's denials are enforced or only logged.</summary>
public enum EnforcementMode
{
    Enforce,
    Audit,
}

/// <summary>One protected application: host + path prefix to upstreams.</summary>
public sealed record RouteConfig
{
    public required string Name { get; init; }

    /// <summary>Host to match (lower-case, no port); null matches any host.</summary>
    public string? Host { get; init; }

    /// <summary>Path prefix, matched on segment boundaries, case-insensitively.</summary>
    public string Path { get; init; } = "/";

    public required IReadOnlyList<Uri> Upstreams { get; init; }
    public required ResourceConfig Resource { get; init; }

    /// <summary>The Rego query deciding this route; its value is a boolean or an object with <c>allow</c>.</summary>
    public required string Query { get; init; }

    public AuthMode Auth { get; init; } = AuthMode.Session;
    public JwtRouteConfig? Jwt { get; init; }
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;
}

/// <summary>The resource a route protects.</summary>
public sealed record ResourceConfig
{
    public required string Name { get; init; }
    public string Classification { get; init; } = "internal";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>Bearer token validation for <c>auth: jwt</c> routes.</summary>
public sealed record JwtRouteConfig
{
    public required Uri Issuer { get; init; }

    /// <summary>JWKS URL; default from the issuer's discovery document.</summary>
    public Uri? JwksUri { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }
}
