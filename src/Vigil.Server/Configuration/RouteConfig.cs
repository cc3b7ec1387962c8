namespace Vigil.Server.Configuration;

/// <summary>One protected application: host + path prefix to upstreams.</summary>
public sealed record RouteConfig
{
    public required string Name { get; init; }

    /// <summary>Host to match (lower-case, no port); null matches any host.</summary>
    public string? Host { get; init; }

    /// <summary>Path prefix, matched on segment boundaries, case-insensitively.</summary>
    public string Path { get; init; } = "/";

    public required IReadOnlyList<Uri> Upstreams { get; init; }

    /// <summary>
    /// PEM file of CA certificates that https upstreams of this route must chain to, instead of the system's trusted
    /// CAs (for upstreams with certificates from a private CA). Null: the system's trust store.
    /// </summary>
    public string? UpstreamCa { get; init; }

    /// <summary>How long the upstream may stay silent (no response head, no body bytes) before the request fails with 504.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = DefaultUpstreamTimeout;

    /// <summary>The default of <see cref="UpstreamTimeout"/>.</summary>
    public static readonly TimeSpan DefaultUpstreamTimeout = TimeSpan.FromSeconds(100);

    /// <summary>Send the client's Host (as normalized, with its port) to the upstream instead of the upstream URL's.</summary>
    public bool PreserveHost { get; init; }

    /// <summary>Remove <see cref="Path"/> from the front of the forwarded path (<c>/app/x</c> reaches the upstream as <c>/x</c>).</summary>
    public bool StripPath { get; init; }

    /// <summary>Largest request body forwarded, in bytes (larger ones get 413); null: no limit.</summary>
    public long? MaxRequestBody { get; init; } = DefaultMaxRequestBody;

    /// <summary>The default of <see cref="MaxRequestBody"/>: 30 MB, Kestrel's own default.</summary>
    public const long DefaultMaxRequestBody = 30L << 20;

    public required ResourceConfig Resource { get; init; }

    /// <summary>The Rego query deciding this route; its value is a boolean or an object with <c>allow</c>.</summary>
    public required string Query { get; init; }

    /// <summary>
    /// Forward paths that common upstreams read differently (segments ending in a dot or a space, percent-escaped bytes
    /// that are not UTF-8, characters that Unicode normalization changes) instead of refusing them with 400. Such a
    /// path is still refused when, with trailing dots and spaces removed, it would belong to another route.
    /// </summary>
    public bool AllowUnusualPaths { get; init; }

    /// <summary>
    /// Client headers passed to the upstream although Vigil strips their family (e.g. <c>X-Auth-Token</c>) or their
    /// name has an underscore. Never Vigil's own headers, the ones it sets, or hop-by-hop headers.
    /// </summary>
    public IReadOnlyList<string> PassHeaders { get; init; } = [];

    /// <summary>What method-override headers (<c>X-HTTP-Method-Override</c> and the like) do.</summary>
    public MethodOverrideMode MethodOverride { get; init; } = MethodOverrideMode.Strip;

    public AuthMode Auth { get; init; } = AuthMode.Session;
    public JwtRouteConfig? Jwt { get; init; }
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;
}

/// <summary>What a route does with method-override headers (<c>X-HTTP-Method-Override</c>, <c>X-HTTP-Method</c>, <c>X-Method-Override</c>).</summary>
public enum MethodOverrideMode
{
    /// <summary>Remove them: the upstream sees the request's own method, the one the policy decided on (default).</summary>
    Strip,

    /// <summary>Pass them on, and let the policy decide on the overridden method (<c>input.request.method</c>).</summary>
    Decide,
}
