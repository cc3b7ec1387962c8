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

    /// <summary>A segment ends in a dot or a space (<c>/admin.</c>, <c>/admin%20/x</c>): Windows and IIS drop them.</summary>
    TrailingDotOrSpace,

    /// <summary>Percent-escaped bytes that are not well-formed UTF-8 (overlong forms such as <c>%c0%ae</c>, surrogates).</summary>
    InvalidUtf8,

    /// <summary>A character that Unicode normalization (NFKC) or simple case mapping turns into another one (<c>%EF%BD%81</c>, full-width a).</summary>
    LookAlike,

    /// <summary>A header field name that is not an RFC 9110 token, or a value with CR, LF or NUL.</summary>
    BadHeader,

    /// <summary>A header that HTTP/2 and HTTP/3 forbid (connection-specific fields, RFC 9113 8.2.2).</summary>
    ConnectionSpecificHeader,

    /// <summary>A Content-Length that is not a plain decimal number (<c>+167</c>), or several different ones.</summary>
    BadContentLength,

    /// <summary>Several method-override headers that disagree, or one that is not a method token.</summary>
    BadMethodOverride,

    /// <summary>An extended CONNECT (RFC 8441) for a protocol other than WebSocket.</summary>
    UnsupportedProtocol,
}

/// <summary>
/// The request target after normalization: what routing, the policy and the upstream all see. <see cref="Unusual"/>
/// names a path that is unambiguous to Vigil but that common upstreams read differently (refused unless the route
/// allows unusual paths).
/// </summary>
internal readonly record struct NormalizedTarget(string Path, string Query, RejectReason Reject, RejectReason Unusual = RejectReason.None)
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
        var unusual = RejectReason.None;
        if (simple)
        {
            path = rawPath;
        }
        else
        {
            var decoded = DecodeUnreserved(rawPath, out var reason, out unusual);
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

            if (length > 0 && (path[end - 1] == '.' || (length >= 3 && path.AsSpan(end - 3, 3).SequenceEqual("%20"))))
            {
                unusual = unusual == RejectReason.None ? RejectReason.TrailingDotOrSpace : unusual;
            }

            start = end + 1;
        }

        return new NormalizedTarget(path, query, RejectReason.None, unusual);
    }

    private static string? DecodeUnreserved(string rawPath, out RejectReason reason, out RejectReason unusual)
    {
        reason = RejectReason.None;
        unusual = RejectReason.None;
        var builder = new StringBuilder(rawPath.Length);
        for (var i = 0; i < rawPath.Length; i++)
        {
            var c = rawPath[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (i + 2 < rawPath.Length && IsHighByteEscape(rawPath, i))
            {
                // A run of escaped bytes of 0x80 and above: kept escaped, but judged as the UTF-8 an upstream decodes.
                var run = i;
                while (run + 2 < rawPath.Length && IsHighByteEscape(rawPath, run))
                {
                    run += 3;
                }

                if (unusual == RejectReason.None)
                {
                    unusual = JudgeNonAscii(rawPath.AsSpan(i, run - i));
                }

                for (; i < run; i += 3)
                {
                    builder.Append('%').Append(char.ToUpperInvariant(rawPath[i + 1])).Append(char.ToUpperInvariant(rawPath[i + 2]));
                }

                i--;
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

    /// <summary>The path as Windows and IIS read it: each segment without its trailing dots and (escaped) spaces.</summary>
    public static string TrimSegmentEnds(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var range in path.AsSpan().Split('/'))
        {
            var segment = path.AsSpan()[range];
            while (true)
            {
                if (segment.EndsWith('.'))
                {
                    segment = segment[..^1];
                }
                else if (segment.EndsWith("%20", StringComparison.Ordinal))
                {
                    segment = segment[..^3];
                }
                else
                {
                    break;
                }
            }

            if (range.Start.Value > 0)
            {
                builder.Append('/');
            }

            builder.Append(segment);
        }

        return builder.ToString();
    }

    private static bool IsHighByteEscape(string text, int i) =>
        text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]) && text[i + 1] >= '8';

    /// <summary>
    /// Decodes a run of <c>%XX</c> escapes (all 0x80 and above) as UTF-8: overlong forms, surrogates and cut-off
    /// sequences are <see cref="RejectReason.InvalidUtf8"/>; characters that normalization or case mapping turns into
    /// others are <see cref="RejectReason.LookAlike"/>.
    /// </summary>
    private static RejectReason JudgeNonAscii(ReadOnlySpan<char> escapes)
    {
        Span<byte> bytes = escapes.Length / 3 <= 256 ? stackalloc byte[escapes.Length / 3] : new byte[escapes.Length / 3];
        for (var k = 0; k < bytes.Length; k++)
        {
            bytes[k] = (byte)((HexValue(escapes[(3 * k) + 1]) << 4) | HexValue(escapes[(3 * k) + 2]));
        }

        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return RejectReason.InvalidUtf8;
            }

            if (LookAlikes.Contains(rune.Value))
            {
                return RejectReason.LookAlike;
            }

            bytes = bytes[consumed..];
        }

        return RejectReason.None;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static NormalizedTarget Fail(RejectReason reason) => new("", "", reason);
}

/// <summary>Checks used by configuration validation for route paths.</summary>
internal static class RequestNormalizerRules
{
    public static bool IsAmbiguousConfigPath(string path) =>
        path.Contains("//", StringComparison.Ordinal) || path.Contains('%', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal) ||
        path.Contains(';', StringComparison.Ordinal) || path.Split('/').Any(s => s is "." or "..");
}
