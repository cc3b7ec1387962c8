using System.Buffers.Text;
using System.Text;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>How the body of an upstream response is delimited (RFC 9112 section 6.3).</summary>
internal enum BodyFraming
{
    None,
    ContentLength,
    Chunked,
    UntilClose,
}

/// <summary>One header line of an upstream response, as offsets into the buffered head.</summary>
internal readonly record struct HeaderLine(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>
/// A parsed upstream response head. Parsing is strict: anything a lenient peer could read differently from us
/// (obsolete line folding, control characters, whitespace before the colon, a repeated length, a length next to a
/// transfer coding) is refused, so a hostile upstream cannot smuggle a second
/// response through the gateway.
/// </summary>
internal sealed class ResponseHead
{
    /// <summary>The largest head accepted from an upstream.</summary>
    public const int MaxHeadSize = 64 * 1024;

    private const int MaxHeaders = 256;
    private readonly List<HeaderLine> _headers = new(16);

    public int Status { get; private set; }

    public int MinorVersion { get; private set; }

    public BodyFraming Framing { get; private set; }

    public long ContentLength { get; private set; }

    /// <summary>The Content-Length header's value when there was one (also for HEAD and 304, which carry no body).</summary>
    public long? DeclaredLength { get; private set; }

    /// <summary>Whether the connection may carry another request after this response.</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>The header lines in order (a list, so iterating them does not allocate).</summary>
    public List<HeaderLine> Headers => _headers;

    /// <summary>Bytes of the head including the final empty line.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Parses a head from the start of <paramref name="data"/>. Returns true with <see cref="Length"/> set when the head is
    /// complete; false when more bytes are needed. Throws <see cref="UpstreamProtocolException"/> when the head is invalid.
    /// </summary>
    public bool TryParse(ReadOnlySpan<byte> data, bool headRequest)
    {
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (data.Length >= MaxHeadSize)
            {
                throw new UpstreamProtocolException("response head too large");
            }

            return false;
        }

        if (end + 4 > MaxHeadSize)
        {
            throw new UpstreamProtocolException("response head too large");
        }

        _headers.Clear();
        Length = end + 4;
        var head = data[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        ParseStatusLine(head[..lineEnd]);

        long? contentLength = null;
        var transferEncoding = false;
        var chunked = false;
        var otherCoding = false;
        var connectionClose = false;
        var connectionKeepAlive = false;
        var offset = lineEnd + 2;
        while (offset < head.Length)
        {
            var rest = head[offset..];
            var length = rest.IndexOf("\r\n"u8);
            var line = rest[..length];
            var (colon, valueStart, valueEnd) = ParseFieldLine(line);
            var name = line[..colon];
            var value = line[valueStart..valueEnd];
            if (_headers.Count == MaxHeaders)
            {
                throw new UpstreamProtocolException("too many response headers");
            }

            _headers.Add(new HeaderLine(offset, colon, offset + valueStart, value.Length));
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                // Digits only, and only spaces after them: llhttp refuses a tab there, so a parser could part from us.
                if (!Utf8Parser.TryParse(value, out long parsed, out var consumed) || consumed != value.Length || parsed < 0 || value.Length == 0 ||
                    value[0] is < (byte)'0' or > (byte)'9' || line[valueEnd..].Contains((byte)'\t'))
                {
                    throw new UpstreamProtocolException("invalid Content-Length in response");
                }

                // A second Content-Length is refused even with the same value (RFC 9112 6.3 allows either; llhttp refuses).
                if (contentLength is not null)
                {
                    throw new UpstreamProtocolException("repeated Content-Length in response");
                }

                contentLength = parsed;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                transferEncoding = true;

                // Values parsers read differently are refused: an empty one (llhttp ignores it, so a length beside it
                // would frame the body for llhttp and not for us) and a tab inside or after the list (to llhttp,
                // "chunked<TAB>" is not chunked).
                if (value.IsEmpty || line[valueStart..].Contains((byte)'\t'))
                {
                    throw new UpstreamProtocolException("ambiguous Transfer-Encoding in response");
                }

                // Only the final coding decides framing; "chunked" anywhere but last means read-until-close.
                var last = LastListElement(value);
                if (Ascii.EqualsIgnoreCase(last, "chunked"u8))
                {
                    chunked = true;
                    otherCoding = false;
                }
                else
                {
                    chunked = false;
                    otherCoding = true;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var token = value[range].Trim(" \t"u8);
                    connectionClose |= Ascii.EqualsIgnoreCase(token, "close"u8);
                    connectionKeepAlive |= Ascii.EqualsIgnoreCase(token, "keep-alive"u8);
                }
            }

            offset += length + 2;
        }

        // Both framings at once is the classic smuggling signal (RFC 9112 6.1: "ought to be handled as an error"). llhttp
        // refuses it, whatever the status; honouring the coding instead would frame it one way here and another there.
        if (contentLength is not null && transferEncoding)
        {
            throw new UpstreamProtocolException("Content-Length next to Transfer-Encoding in response");
        }

        DeclaredLength = contentLength;
        KeepAlive = MinorVersion >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
        ContentLength = -1;
        if (headRequest || Status is 204 or 304 || Status < 200)
        {
            Framing = BodyFraming.None;
        }
        else if (chunked || otherCoding)
        {
            // A final coding other than chunked leaves only the end of the stream to delimit the body.
            Framing = chunked ? BodyFraming.Chunked : BodyFraming.UntilClose;
            if (otherCoding)
            {
                KeepAlive = false;
            }
        }
        else if (contentLength is { } cl)
        {
            Framing = BodyFraming.ContentLength;
            ContentLength = cl;
        }
        else
        {
            Framing = BodyFraming.UntilClose;
            KeepAlive = false;
        }

        return true;
    }

    /// <summary>
    /// Checks one header or trailer line (without its CRLF): a token name, a colon, a value without control characters
    /// but HTAB; no obsolete folding. Returns where the colon is and where the value is once its whitespace is trimmed.
    /// </summary>
    internal static (int Colon, int ValueStart, int ValueEnd) ParseFieldLine(ReadOnlySpan<byte> line)
    {
        if (line.Length == 0 || line[0] is (byte)' ' or (byte)'\t')
        {
            throw new UpstreamProtocolException("obsolete line folding in response header");
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            throw new UpstreamProtocolException("response header line without a name");
        }

        foreach (var b in line[..colon])
        {
            if (!IsTokenByte(b))
            {
                throw new UpstreamProtocolException("invalid character in response header name");
            }
        }

        var valueStart = colon + 1;
        var valueEnd = line.Length;
        while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }

        while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }

        foreach (var b in line[valueStart..valueEnd])
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                throw new UpstreamProtocolException("control character in response header value");
            }
        }

        return (colon, valueStart, valueEnd);
    }

    private void ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != (byte)' ' ||
            !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || (line.Length > 12 && line[12] != (byte)' '))
        {
            throw new UpstreamProtocolException("invalid response status line");
        }

        foreach (var b in line[12..])
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                throw new UpstreamProtocolException("control character in response status line");
            }
        }

        MinorVersion = line[7] - '0';
        Status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        if (Status < 100)
        {
            throw new UpstreamProtocolException("invalid response status code");
        }
    }

    private static ReadOnlySpan<byte> LastListElement(ReadOnlySpan<byte> value)
    {
        var comma = value.LastIndexOf((byte)',');
        return (comma < 0 ? value : value[(comma + 1)..]).Trim(" \t"u8);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    /// <summary>RFC 9110 tchar.</summary>
    internal static bool IsTokenByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') ||
        b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'.' or
            (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}

/// <summary>The upstream broke HTTP/1.1; the gateway answers 502 and never reuses the connection.</summary>
internal sealed class UpstreamProtocolException(string message) : Exception(message);
