using System.Text;

namespace Vigil.Policy.Builtins.Security;

/// <summary>Go's encoding/base64 decoders, with Go's error offsets ("illegal base64 data at input byte N").</summary>
internal static class GoBase64
{
    private const string StdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>base64.StdEncoding.DecodeString (padded, ignores CR/LF).</summary>
    public static byte[] DecodeStd(string s) => Decode(Encoding.UTF8.GetBytes(s), StdAlphabet, padded: true);

    public static byte[] DecodeStd(byte[] s) => Decode(s, StdAlphabet, padded: true);

    public static bool TryDecodeStd(string s, out byte[] bytes)
    {
        try
        {
            bytes = DecodeStd(s);
            return true;
        }
        catch (BuiltinErrorException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>OPA's base64url.decode: adds missing padding (RFC 7515 appendix C), then base64.URLEncoding.</summary>
    public static byte[] DecodeUrlOpa(string s) => Decode(Encoding.UTF8.GetBytes(PadUrlOpa(s)), UrlAlphabet, padded: true);

    /// <summary>Adds the padding some base64url encoders omit, as OPA does (RFC 7515 appendix C).</summary>
    public static string PadUrlOpa(string s)
    {
        if (s.EndsWith('='))
        {
            return s;
        }

        return (s.Length % 4) switch
        {
            0 => s,
            2 => s + "==",
            3 => s + "=",
            _ => throw new BuiltinErrorException("illegal base64url string: " + s),
        };
    }

    public static string EncodeRawUrl(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static BuiltinErrorException Corrupt(long offset) => new($"illegal base64 data at input byte {offset}");

    private static byte[] Decode(byte[] src, string alphabet, bool padded)
    {
        Span<int> map = stackalloc int[256];
        map.Fill(-1);
        for (var i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = i;
        }

        var output = new List<byte>(src.Length * 3 / 4);
        var si = 0;
        Span<int> dbuf = stackalloc int[4];
        while (si < src.Length)
        {
            var dlen = 4;
            var done = false;
            for (var j = 0; j < 4; j++)
            {
                if (si == src.Length)
                {
                    if (j == 0)
                    {
                        return [.. output];
                    }

                    if (j == 1 || padded)
                    {
                        throw Corrupt(si - j);
                    }

                    dlen = j;
                    done = true;
                    break;
                }

                var c = src[si];
                si++;
                if (map[c] >= 0)
                {
                    dbuf[j] = map[c];
                    continue;
                }

                if (c is (byte)'\n' or (byte)'\r')
                {
                    j--;
                    continue;
                }

                if (!padded || c != (byte)'=')
                {
                    throw Corrupt(si - 1);
                }

                // Padding: only after two or three data characters.
                switch (j)
                {
                    case 0 or 1:
                        throw Corrupt(si - 1);
                    case 2:
                        while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                        {
                            si++;
                        }

                        if (si == src.Length)
                        {
                            throw Corrupt(src.Length);
                        }

                        if (src[si] != (byte)'=')
                        {
                            throw Corrupt(si - 1);
                        }

                        si++;
                        break;
                }

                while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                {
                    si++;
                }

                if (si < src.Length)
                {
                    throw Corrupt(si);
                }

                dlen = j;
                done = true;
                break;
            }

            var val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dlen > 2 ? dbuf[2] << 6 : 0) | (dlen > 3 ? dbuf[3] : 0);
            switch (dlen)
            {
                case 4:
                    output.Add((byte)(val >> 16));
                    output.Add((byte)(val >> 8));
                    output.Add((byte)val);
                    break;
                case 3:
                    output.Add((byte)(val >> 16));
                    output.Add((byte)(val >> 8));
                    break;
                case 2:
                    output.Add((byte)(val >> 16));
                    break;
            }

            if (done)
            {
                break;
            }
        }

        return [.. output];
    }
}

/// <summary>One PEM block, as Go's encoding/pem decodes it.</summary>
internal sealed record PemBlock(string Type, byte[] Bytes, Dictionary<string, string> Headers);

/// <summary>A port of the behaviour of Go's pem.Decode (skips leading junk; rest starts after the END line).</summary>
internal static class GoPem
{
    private static (byte[] Line, byte[] Remainder) GetLine(byte[] data)
    {
        var i = Array.IndexOf(data, (byte)'\n');
        int j;
        if (i < 0)
        {
            i = data.Length;
            j = i;
        }
        else
        {
            j = i + 1;
            if (i > 0 && data[i - 1] == '\r')
            {
                i--;
            }
        }

        var end = i;
        while (end > 0 && data[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }

        return (data[..end], data[j..]);
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int start = 0) =>
        haystack.AsSpan(start).IndexOf(needle) is var i && i >= 0 ? i + start : -1;

    private static readonly byte[] PemStart = "\n-----BEGIN "u8.ToArray();
    private static readonly byte[] PemEnd = "\n-----END "u8.ToArray();
    private static readonly byte[] PemEndOfLine = "-----"u8.ToArray();

    public static (PemBlock? Block, byte[] Remainder) Decode(byte[] data)
    {
        var rest = data;
        while (true)
        {
            if (rest.AsSpan().StartsWith(PemStart.AsSpan(1)))
            {
                rest = rest[(PemStart.Length - 1)..];
            }
            else if (IndexOf(rest, PemStart) is var at && at >= 0)
            {
                rest = rest[(at + PemStart.Length)..];
            }
            else
            {
                return (null, data);
            }

            (var typeLine, rest) = GetLine(rest);
            if (!typeLine.AsSpan().EndsWith(PemEndOfLine))
            {
                continue;
            }

            var type = Encoding.UTF8.GetString(typeLine, 0, typeLine.Length - PemEndOfLine.Length);
            var typeBytes = typeLine[..^PemEndOfLine.Length];
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            var truncated = false;
            while (true)
            {
                if (rest.Length == 0)
                {
                    truncated = true;
                    break;
                }

                var (line, next) = GetLine(rest);
                var colon = Array.IndexOf(line, (byte)':');
                if (colon < 0)
                {
                    break;
                }

                headers[Encoding.UTF8.GetString(line, 0, colon).Trim()] = Encoding.UTF8.GetString(line, colon + 1, line.Length - colon - 1).Trim();
                rest = next;
            }

            if (truncated)
            {
                return (null, data);
            }

            int endIndex, endTrailerIndex;
            if (headers.Count == 0 && rest.AsSpan().StartsWith(PemEnd.AsSpan(1)))
            {
                endIndex = 0;
                endTrailerIndex = PemEnd.Length - 1;
            }
            else
            {
                endIndex = IndexOf(rest, PemEnd);
                endTrailerIndex = endIndex + PemEnd.Length;
            }

            if (endIndex < 0)
            {
                continue;
            }

            var endTrailer = rest[endTrailerIndex..];
            var endTrailerLen = typeBytes.Length + PemEndOfLine.Length;
            if (endTrailer.Length < endTrailerLen)
            {
                continue;
            }

            var restOfEndLine = endTrailer[endTrailerLen..];
            endTrailer = endTrailer[..endTrailerLen];
            if (!endTrailer.AsSpan().StartsWith(typeBytes) || !endTrailer.AsSpan().EndsWith(PemEndOfLine))
            {
                continue;
            }

            if (GetLine(restOfEndLine).Line.Length != 0)
            {
                continue;
            }

            var body = rest[..endIndex].Where(b => b is not ((byte)' ' or (byte)'\t')).ToArray();
            byte[] bytes;
            try
            {
                bytes = GoBase64.DecodeStd(body);
            }
            catch (BuiltinErrorException)
            {
                continue;
            }

            var (_, after) = GetLine(rest[(endIndex + PemEnd.Length - 1)..]);
            return (new PemBlock(type, bytes, headers), after);
        }
    }

    public static (PemBlock? Block, byte[] Remainder) Decode(string text) => Decode(Encoding.UTF8.GetBytes(text));

    public static string Encode(string type, byte[] bytes)
    {
        var b64 = Convert.ToBase64String(bytes);
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(type).Append("-----\n");
        for (var i = 0; i < b64.Length; i += 64)
        {
            sb.Append(b64.AsSpan(i, Math.Min(64, b64.Length - i))).Append('\n');
        }

        sb.Append("-----END ").Append(type).Append("-----\n");
        return sb.ToString();
    }
}
