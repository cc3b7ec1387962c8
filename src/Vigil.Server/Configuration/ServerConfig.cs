using System.Net;

namespace Vigil.Server.Configuration;

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

    /// <summary>
    /// Runs request processing on the socket I/O threads instead of handing each step to the thread pool (Kestrel's
    /// inline scheduling and inline socket completions). Default on: it removes several thread hand-offs per proxied
    /// request. Vigil moves its own blocking work (store queries) to the thread pool either way.
    /// </summary>
    public bool InlineIo { get; init; } = true;
}
