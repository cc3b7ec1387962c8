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

    public AuthMode Auth { get; init; } = AuthMode.Session;
    public JwtRouteConfig? Jwt { get; init; }
    public EnforcementMode Mode { get; init; } = EnforcementMode.Enforce;
}
