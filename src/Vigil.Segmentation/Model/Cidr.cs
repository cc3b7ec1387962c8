using System.Net;
using System.Net.Sockets;

namespace Vigil.Segmentation.Model;

/// <summary>Parses CIDRs leniently (host bits are masked, a bare address is a /32 or /128) and converts IPv4 to integers.</summary>
public static class Cidr
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        text = text.Trim();
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addrText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addrText, out var address)) return false;
        if (addrText.Contains('%', StringComparison.Ordinal)) return false;
        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max)) return false;
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < max; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    public static bool IsV4(IPNetwork n) => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    public static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    public static IPAddress FromUInt(uint v) => new([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);

    /// <summary>First and last address of an IPv4 network as integers.</summary>
    public static (uint First, uint Last) Range(IPNetwork n)
    {
        var first = ToUInt(n.BaseAddress);
        var size = n.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - n.PrefixLength)) - 1;
        return (first, first + size);
    }

    /// <summary>True when <paramref name="inner"/> lies entirely inside <paramref name="outer"/>.</summary>
    public static bool Within(IPNetwork inner, IPNetwork outer) =>
        inner.BaseAddress.AddressFamily == outer.BaseAddress.AddressFamily && inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);
}
