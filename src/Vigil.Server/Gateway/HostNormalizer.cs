using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vigil.Server.Gateway;

/// <summary>
/// Normalizes the client's host once, for routing, the policy and the upstream alike. The result is lower case, without
/// port, and either a DNS name of letters, digits and hyphens in non-empty labels of at most 63 characters (one
/// trailing dot, the root, is dropped), a dotted-quad IPv4 address in canonical form, or a bracketed IPv6 address in
/// canonical form. Anything else is refused (null), because servers disagree on what it names: several trailing dots
/// or empty labels (<c>admin.example.test..</c>, which a route bound to <c>admin.example.test</c> would not match but a
/// virtual host would serve), underscores, user info, zone ids, and the shorthand IPv4 forms that resolvers read
/// differently from routers (<c>127.1</c>, <c>0x7f.0.0.1</c>, <c>2130706433</c>, leading zeros).
/// </summary>
internal static class HostNormalizer
{
    /// <summary>The longest DNS name (RFC 1035 2.3.4, without the root dot).</summary>
    public const int MaxNameLength = 253;

    /// <summary>The normalized host of a Host header (or <c>:authority</c>) value, or null when it is not a valid host.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxNameLength + 8)
        {
            return null;
        }

        if (value[0] == '[')
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || (close + 1 < value.Length && !IsPort(value.AsSpan(close + 1))))
            {
                return null;
            }

            var literal = value.AsSpan(1, close - 1);
            // IPAddress.Parse also reads IPv4 text and zone ids ("%eth0"): only a plain IPv6 address is a literal here.
            if (literal.IndexOfAny('%', '[', ']') >= 0 || !IPAddress.TryParse(literal, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }

            return "[" + v6.ToString() + "]";
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        var name = value.AsSpan();
        if (colon >= 0)
        {
            if (!IsPort(name[colon..]))
            {
                return null;
            }

            name = name[..colon];
        }

        if (name.EndsWith('.'))
        {
            name = name[..^1]; // the root label, once: "example.test." names "example.test"
        }

        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return null;
        }

        var lastLabel = name[(name.LastIndexOf('.') + 1)..];
        if (IsNumericLabel(lastLabel))
        {
            // A name whose last label is numeric is an IPv4 address to URL parsers and resolvers (WHATWG URL "ends in a
            // number"): accepted only in the one form everybody reads the same way.
            return CanonicalIPv4(name);
        }

        var labelLength = 0;
        foreach (var c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return null;
                }

                labelLength = 0;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c == '-') || ++labelLength > 63)
            {
                return null;
            }
        }

        if (labelLength == 0 || HasHyphenAtLabelEdge(name))
        {
            return null;
        }

        return IsLowerCase(name) ? (name.Length == value.Length ? value : name.ToString()) : name.ToString().ToLowerInvariant();
    }

    private static bool IsLowerCase(ReadOnlySpan<char> name) => !name.ContainsAnyInRange('A', 'Z');

    private static bool HasHyphenAtLabelEdge(ReadOnlySpan<char> name)
    {
        if (name.IndexOf('-') < 0)
        {
            return false;
        }

        foreach (var range in name.Split('.'))
        {
            var label = name[range];
            if (label[0] == '-' || label[^1] == '-')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A label made of digits, or written as a hexadecimal number (<c>0x7f</c>).</summary>
    private static bool IsNumericLabel(ReadOnlySpan<char> label) =>
        label.Length > 0 && (!label.ContainsAnyExceptInRange('0', '9') ||
                             (label.Length >= 2 && label[0] == '0' && (label[1] | 0x20) == 'x' && !label[2..].ContainsAnyExcept("0123456789abcdefABCDEF")));

    private static string? CanonicalIPv4(ReadOnlySpan<char> name)
    {
        Span<Range> parts = stackalloc Range[5];
        if (name.Split(parts, '.') != 4)
        {
            return null;
        }

        foreach (var range in parts[..4])
        {
            var part = name[range];
            if (part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9') || (part.Length > 1 && part[0] == '0') ||
                int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return null;
            }
        }

        return name.ToString();
    }

    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is >= 2 and <= 6 && text[0] == ':' && !text[1..].ContainsAnyExceptInRange('0', '9') &&
        int.Parse(text[1..], NumberStyles.None, CultureInfo.InvariantCulture) <= 65535;
}
