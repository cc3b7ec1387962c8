using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>An upstream base URL, parsed once: where to connect and what to put in the request line and Host.</summary>
internal sealed class UpstreamDestination
{
    public UpstreamDestination(Uri uri, ConnectionPool pool, X509Certificate2Collection? trustedRoots = null)
    {
        Pool = pool;
        TrustedRoots = trustedRoots;
        IsHttps = uri.Scheme == Uri.UriSchemeHttps;
        Host = uri.IdnHost;
        Port = uri.Port;
        Address = IPAddress.TryParse(Host, out var address) ? address : null;
        HostHeader = Encoding.ASCII.GetBytes(uri.Authority);
        BasePath = Encoding.ASCII.GetBytes(uri.AbsolutePath.TrimEnd('/'));
        Prefix = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The base URL without a trailing slash (what YARP's forwarder takes).</summary>
    public string Prefix { get; }

    public bool IsHttps { get; }

    public string Host { get; }

    public IPAddress? Address { get; }

    public int Port { get; }

    /// <summary>The Host header value sent upstream (the upstream's own authority).</summary>
    public byte[] HostHeader { get; }

    /// <summary>The upstream URL's path without a trailing slash, prepended to the request path.</summary>
    public byte[] BasePath { get; }

    public ConnectionPool Pool { get; }

    private long _downUntilTicks;

    /// <summary>Whether a connection to this upstream was refused recently (until <see cref="MarkDown"/>'s time).</summary>
    public bool IsDown(DateTimeOffset now) => Volatile.Read(ref _downUntilTicks) > now.UtcTicks;

    /// <summary>Leaves this upstream out of its routes' rotation until <paramref name="until"/>.</summary>
    public void MarkDown(DateTimeOffset until) => Volatile.Write(ref _downUntilTicks, until.UtcTicks);

    /// <summary>The CAs an https upstream must chain to (route's <c>upstream_ca</c>); null: the system's trust store.</summary>
    public X509Certificate2Collection? TrustedRoots { get; }

    /// <summary>The HTTP client for the YARP path (upgrades) when this destination trusts its own CAs; null: the shared one.</summary>
    public HttpMessageInvoker? UpgradeInvoker => TrustedRoots is null ? null : _upgradeInvoker ??= new HttpMessageInvoker(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions { CertificateChainPolicy = UpstreamTrust.ChainPolicy(TrustedRoots) },
    });

    private HttpMessageInvoker? _upgradeInvoker;
}
