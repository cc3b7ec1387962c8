using System.Text;

namespace Vigil.Server.Gateway;

/// <summary>Why a request target or host was refused.</summary>
internal enum RejectReason
{
    None,
    NotOriginForm,
    ControlCharacter,
    Fragment,
    Backslash,
    PathParameter,
    BadPercentEncoding,
    EncodedSeparator,
    DoubleEncoding,
    EncodedNul,
    EmptySegment,
    DotSegment,
    TooLong,
    BadHost,
}

/// <summary>The request target after normalization: what routing, the policy and the upstream all see.</summary>
internal readonly record struct NormalizedTarget(string Path, string Query, RejectReason Reject)
{
    public bool IsValid => Reject == RejectReason.None;
}

/// <summary>
/// Normalizes the raw request target so that the path the policy judges is byte-for-byte the path the upstream
/// receives. Anything an upstream could interpret differently from us is refused rather than guessed at:
/// encoded separators, dot segments (plain or encoded), empty segments, backslashes, path parameters,
/// double encoding, NUL and control characters. Percent-encoded unreserved characters are decoded; other
/// escapes are kept, upper-cased.
/// </summary>
internal static class RequestNormalizer
{
    public const int MaxTargetLength = 8192;

    public static NormalizedTarget Normalize(string rawTarget)
    {
        if (rawTarget.Length == 0 || rawTarget[0] != '/')
        {
            return Fail(RejectReason.NotOriginForm);
        }

        if (rawTarget.Length > MaxTargetLength)
        {
            return Fail(RejectReason.TooLong);
        }

        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        var query = q < 0 ? "" : rawTarget[q..];
        foreach (var c in query)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return Fail(RejectReason.ControlCharacter);
            }

            if (c == '#')
            {
                return Fail(RejectReason.Fragment);
            }
        }

        if (query.Contains("%00", StringComparison.Ordinal))
        {
            return Fail(RejectReason.EncodedNul);
        }

        var simple = true;
        foreach (var c in rawPath)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return Fail(RejectReason.ControlCharacter);
            }

            switch (c)
            {
                case '#': return Fail(RejectReason.Fragment);
                case '\\': return Fail(RejectReason.Backslash);
                case ';': return Fail(RejectReason.PathParameter);
                case '%' or '.': simple = false; break;
            }
        }

        string path;
        if (simple)
        {
            path = rawPath;
        }
        else
        {
            var decoded = DecodeUnreserved(rawPath, out var reason);
            if (decoded is null)
            {
                return Fail(reason);
            }

            path = decoded;
        }

        // Segment checks: empty segments (//) and dot segments are ambiguous between servers.
        var start = 1;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var length = end - start;
            if (length == 0 && end < path.Length)
            {
                return Fail(RejectReason.EmptySegment);
            }

            if ((length == 1 && path[start] == '.') || (length == 2 && path[start] == '.' && path[start + 1] == '.'))
            {
                return Fail(RejectReason.DotSegment);
            }

            start = end + 1;
        }

        return new NormalizedTarget(path, query, RejectReason.None);
    }

    private static string? DecodeUnreserved(string rawPath, out RejectReason reason)
    {
        reason = RejectReason.None;
        var builder = new StringBuilder(rawPath.Length);
        for (var i = 0; i < rawPath.Length; i++)
        {
            var c = rawPath[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (i + 2 >= rawPath.Length || !char.IsAsciiHexDigit(rawPath[i + 1]) || !char.IsAsciiHexDigit(rawPath[i + 2]))
            {
                reason = RejectReason.BadPercentEncoding;
                return null;
            }

            var b = (char)Convert.ToByte(rawPath.Substring(i + 1, 2), 16);
            i += 2;
            switch (b)
            {
                case '/' or '\\':
                    reason = RejectReason.EncodedSeparator;
                    return null;
                case '%':
                    reason = RejectReason.DoubleEncoding;
                    return null;
                case ';':
                    reason = RejectReason.PathParameter;
                    return null;
                case '#' or '?':
                    reason = RejectReason.EncodedSeparator;
                    return null;
                case < ' ' or (char)0x7F:
                    reason = b == 0 ? RejectReason.EncodedNul : RejectReason.ControlCharacter;
                    return null;
            }

            if (char.IsAsciiLetterOrDigit(b) || b is '-' or '.' or '_' or '~')
            {
                builder.Append(b);
            }
            else
            {
                builder.Append('%').Append(((int)b).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Normalizes a Host header value: lower case, port and trailing dot removed. Returns null when the value
    /// is not a plain DNS name or IP literal (user info, spaces, odd characters are refused).
    /// </summary>
    public static string? NormalizeHost(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 255)
        {
            return null;
        }

        string host;
        if (value[0] == '[')
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = value[..(close + 1)];
            var rest = value[(close + 1)..];
            if (rest.Length > 0 && !IsPort(rest))
            {
                return null;
            }

            return System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _) ? host.ToLowerInvariant() : null;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!IsPort(value[colon..]))
            {
                return null;
            }

            host = value[..colon];
        }
        else
        {
            host = value;
        }

        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        if (host.Length == 0)
        {
            return null;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            {
                return null;
            }
        }

        return host.ToLowerInvariant();
    }

    private static bool IsPort(string text)
    {
        if (text.Length < 2 || text.Length > 6 || text[0] != ':')
        {
            return false;
        }

        for (var i = 1; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static NormalizedTarget Fail(RejectReason reason) => new("", "", reason);
}

/// <summary>Checks used by configuration validation for route paths.</summary>
internal static class RequestNormalizerRules
{
    public static bool IsAmbiguousConfigPath(string path) =>
        path.Contains("//", StringComparison.Ordinal) || path.Contains('%', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) ||
        path.Contains(';', StringComparison.Ordinal) || path.Split('/').Any(s => s is "." or "..");
}
