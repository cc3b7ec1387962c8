namespace Vigil.Segmentation.Model;

/// <summary>Transport protocols a NetworkPolicy or segment flow can name.</summary>
public enum Protocol
{
    Tcp = 0,
    Udp = 1,
    Sctp = 2,
}

internal static class ProtocolNames
{
    public static readonly Protocol[] All = [Protocol.Tcp, Protocol.Udp, Protocol.Sctp];

    public static string Upper(Protocol p) => p switch { Protocol.Tcp => "TCP", Protocol.Udp => "UDP", _ => "SCTP" };

    public static string Lower(Protocol p) => p switch { Protocol.Tcp => "tcp", Protocol.Udp => "udp", _ => "sctp" };

    public static bool TryParse(string text, out Protocol protocol)
    {
        switch (text.ToUpperInvariant())
        {
            case "TCP": protocol = Protocol.Tcp; return true;
            case "UDP": protocol = Protocol.Udp; return true;
            case "SCTP": protocol = Protocol.Sctp; return true;
            default: protocol = Protocol.Tcp; return false;
        }
    }
}
