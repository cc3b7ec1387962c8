using System.Net;
using System.Net.Sockets;

namespace Vigil.Server.Tests.Infrastructure;

public static class Ports
{
    /// <summary>A free loopback port (the public URL must be known before the server starts).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
