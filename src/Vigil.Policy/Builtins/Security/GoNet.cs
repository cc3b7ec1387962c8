using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Policy.Builtins.Security;

/// <summary>An IP address as Go's net package parses it: IPv4 (32 bits) or IPv6 (128 bits).</summary>
internal readonly record struct GoIp(bool IsV4, UInt128 Value)
{
    public int Bits => IsV4 ? 32 : 128;

    /// <summary>Go's net.ParseIP: dotted decimal without leading zeros, or IPv6 without zone. IPv4-mapped IPv6 becomes IPv4 (Go's To4).</summary>
    public static GoIp? Parse(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            foreach (var c in text)
            {
                if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
                {
                    return null;
                }
            }

            if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }

            // .NET accepts embedded IPv4 with leading zeros; Go does not.
            var lastColon = text.LastIndexOf(':');
            if (text.IndexOf('.', StringComparison.Ordinal) > lastColon && ParseV4(text[(lastColon + 1)..]) is null)
            {
                return null;
            }

            var bytes = address.GetAddressBytes();
            var value = FromBytes(bytes);
            if (value >> 32 == 0xFFFF)
            {
                return new GoIp(true, value & 0xFFFF_FFFF);
            }

            return new GoIp(false, value);
        }

        return ParseV4(text) is { } v4 ? new GoIp(true, v4) : null;
    }

    private static UInt128 FromBytes(byte[] bytes)
    {
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static uint? ParseV4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            {
                return null;
            }

            var n = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return null;
                }

                n = (n * 10) + (c - '0');
            }

            if (n > 255)
            {
                return null;
            }

            value = (value << 8) | (uint)n;
        }

        return value;
    }

    /// <summary>Go's IP.String().</summary>
    public override string ToString()
    {
        if (IsV4)
        {
            var v = (uint)Value;
            return string.Create(CultureInfo.InvariantCulture, $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}");
        }

        var groups = new int[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = (int)((Value >> (112 - (16 * i))) & 0xFFFF);
        }

        // Longest run of two or more zero groups, first one on ties, becomes "::".
        int bestStart = -1, bestLen = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }

            if (j - i > bestLen && j - i >= 2)
            {
                bestStart = i;
                bestLen = j - i;
            }

            i = j;
        }

        var sb = new StringBuilder();
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.Append("::");
                i += bestLen - 1;
                continue;
            }

            if (sb.Length > 0 && sb[^1] != ':')
            {
                sb.Append(':');
            }

            sb.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}

/// <summary>Go's *net.IPNet: an address (kept as given, masked by ParseCIDR) and a prefix length.</summary>
internal readonly record struct GoIpNet(GoIp Ip, int Prefix)
{
    public int Bits => Ip.Bits;

    public UInt128 Mask => Prefix == 0 ? 0 : (UInt128.MaxValue << (128 - Prefix)) >> (128 - Bits);

    public UInt128 First => Ip.Value & Mask;

    public UInt128 Last => First | (~Mask & (Bits == 32 ? 0xFFFF_FFFF : UInt128.MaxValue));

    /// <summary>Go's net.ParseCIDR (the network, with the host bits cleared). Null when invalid.</summary>
    public static GoIpNet? ParseCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return null;
        }

        var address = text[..slash];
        var bitsText = text[(slash + 1)..];
        var ip = GoIp.Parse(address);
        if (ip is null || bitsText.Length == 0)
        {
            return null;
        }

        // A CIDR written in IPv6 syntax stays IPv6 even when it maps an IPv4 address.
        var isV4 = !address.Contains(':', StringComparison.Ordinal);
        var value = isV4 ? ip.Value.Value : (ip.Value.IsV4 ? ip.Value.Value | ((UInt128)0xFFFF << 32) : ip.Value.Value);
        var max = isV4 ? 32 : 128;
        // Go's dtoi: decimal digits only (leading zeros allowed), bounded.
        var n = 0;
        foreach (var c in bitsText)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }

            n = (n * 10) + (c - '0');
            if (n > max)
            {
                return null;
            }
        }

        var network = new GoIpNet(new GoIp(isV4, value), n);
        return network with { Ip = new GoIp(isV4, network.First) };
    }

    /// <summary>Go's IPNet.Contains (IPv4 and IPv4-mapped IPv6 compare as IPv4).</summary>
    public bool Contains(GoIp ip)
    {
        var self = Normalised();
        return self.Ip.IsV4 == ip.IsV4 && (ip.Value & self.Mask) == self.First;
    }

    /// <summary>An IPv4-mapped IPv6 network with a prefix of at least 96 bits is the IPv4 network it maps, as Go sees it.</summary>
    public GoIpNet Normalised() =>
        !Ip.IsV4 && Prefix >= 96 && Ip.Value >> 32 == 0xFFFF ? new GoIpNet(new GoIp(true, Ip.Value & 0xFFFF_FFFF), Prefix - 96) : this;

    /// <summary>Go's IPNet.String(): an IPv4-mapped network prints as the IPv4 network.</summary>
    public override string ToString()
    {
        var n = Normalised();
        return n.Ip + "/" + n.Prefix.ToString(CultureInfo.InvariantCulture);
    }
}
