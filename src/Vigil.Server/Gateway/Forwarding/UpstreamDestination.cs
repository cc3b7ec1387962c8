using System.Net;
using System.Text;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>An upstream base URL, parsed once: where to connect and what to put in the request line and Host.</summary>
internal sealed class UpstreamDestination
{
    public UpstreamDestination(Uri uri, ConnectionPool pool)
    {
        Uri = uri;
        Pool = pool;
        IsHttps = uri.Scheme == Uri.UriSchemeHttps;
        Host = uri.IdnHost;
        Port = uri.Port;
        Address = IPAddress.TryParse(Host, out var address) ? address : null;
        HostHeader = Encoding.ASCII.GetBytes(uri.Authority);
        BasePath = Encoding.ASCII.GetBytes(uri.AbsolutePath.TrimEnd('/'));
        Prefix = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public Uri Uri { get; }

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
}
