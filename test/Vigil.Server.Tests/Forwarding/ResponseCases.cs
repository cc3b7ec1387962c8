using System.Text;
using CsCheck;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>What an upstream sends for one request, as a Latin-1 string (one char per byte), and whether that request was HEAD.</summary>
public sealed record ResponseCase(string Data, bool HeadRequest = false)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Data);

    public override string ToString() => (HeadRequest ? "HEAD " : "") + Escape(Data);

    internal static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length + 16).Append('"');
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or >= (char)0x7F => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}

/// <summary>
/// CsCheck generators of upstream responses, built from the parts a smuggling attempt plays with: status lines, framing
/// headers (Content-Length and Transfer-Encoding variants, duplicates, conflicts, case, whitespace), ordinary headers
/// with odd but legal names and values, malformed lines (obsolete folding, whitespace before the colon, bare CR or LF,
/// NUL, obs-text), interim responses, chunked bodies (sizes, extensions, trailers, terminators) and raw bodies; a
/// share of cases then gets a few bytes replaced, inserted or deleted anywhere.
/// </summary>
internal static class ResponseCases
{
    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    /// <summary>Bytes that make parsers disagree, for the odd parts and the mutations.</summary>
    private const string Nasty = "\0\r\n\t ,;:=\"\\\u0001\u000b\u007f\u0080\u00ff0aA";

    public static readonly Gen<ResponseCase> Any =
        Gen.Select(Interim(), FinalResponse(), Gen.Frequency((9, Gen.Const(false)), (1, Gen.Const(true))))
            .SelectMany(t => Mutate(t.Item1 + t.Item2).Select(data => new ResponseCase(data, t.Item3)));

    private static Gen<string> Str(string alphabet, int min, int max) => Gen.Char[alphabet].Array[min, max].Select(a => new string(a));

    private static Gen<string> Eol() =>
        Gen.Frequency((100, Gen.Const("\r\n")), (1, Gen.OneOf("\n", "\r", "\r\r\n", "\n\r", "\r \n")));

    private static Gen<string> StatusLine() => Gen.Select(
        Gen.Frequency((30, Gen.Const("HTTP/1.1")), (8, Gen.Const("HTTP/1.0")),
            (1, Gen.OneOf("HTTP/2.0", "HTTP/0.9", "HTTP/1.2", "http/1.1", "HTTP/1.10", "ICE/1.1", "RTSP/1.0", "HTTP/1.", "HTTP/11", "HTTP/1.1 ", "\r\nHTTP/1.1"))),
        Gen.Frequency((30, Gen.OneOf("200", "201", "204", "206", "301", "304", "404", "500")), (3, Gen.OneOf("205", "299", "999", "100", "103")),
            (1, Gen.OneOf("000", "099", "1000", "20", "2x0", "+20", "20\t"))),
        Gen.Frequency((20, Gen.OneOf(" OK", " Not Found", " ")), (4, Gen.Const("")), (2, Str(Nasty + "abc ", 1, 6).Select(r => " " + r))),
        (version, status, reason) => version + " " + status + reason);

    private static Gen<string> Interim() => Gen.Frequency(
        (12, Gen.Const("")),
        (1, Gen.Select(Gen.OneOf("HTTP/1.1 100 Continue", "HTTP/1.1 103 Early Hints", "HTTP/1.1 199 Odd", "HTTP/1.1 102 Processing"),
            Header().Array[0, 2], (line, headers) => line + "\r\n" + string.Concat(headers) + "\r\n")));

    private static Gen<string> Case(string name) =>
        Gen.Frequency((8, Gen.Const(name)), (1, Gen.Const(name.ToLowerInvariant())), (1, Gen.Const(name.ToUpperInvariant())));

    private static Gen<string> Ows() => Gen.Frequency((10, Gen.Const(" ")), (3, Gen.Const("")), (1, Gen.OneOf("  ", "\t", " \t", "\t ")));

    private static Gen<string> LengthValue() => Gen.Frequency(
        (20, Gen.Int[0, 90].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.OneOf("0", "00", "007", "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "99999999999999999999")),
        (2, Gen.OneOf("-1", "+5", "5,5", "5, 5", "", "0x5", "5 5", "5;", "\"5\"", "5\u0000", "\u0080")));

    private static Gen<string> Codings() => Gen.Select(
        Gen.Frequency((12, Gen.OneOf("chunked")), (2, Gen.OneOf("Chunked", "CHUNKED", "gzip", "identity", "deflate")),
            (1, Gen.OneOf("foo", "chunked;q=1", "x-chunked", "chunkedx", "\"chunked\"", "", "chunked\u0080"))).Array[1, 3],
        Gen.OneOf(",", ", ", " ,", ",\t", "\t,", " , ", ",,").Array[2],
        Gen.Frequency((10, Gen.Const("")), (1, Gen.OneOf(" ", "\t", "  ", " \t", ","))),
        (codings, separators, tail) =>
        {
            var builder = new StringBuilder(codings[0]);
            for (var i = 1; i < codings.Length; i++)
            {
                builder.Append(separators[i % 2]).Append(codings[i]);
            }

            return builder.Append(tail).ToString();
        });

    /// <summary>One header line (with its line end): framing, connection, ordinary or malformed.</summary>
    private static Gen<string> Header() => Gen.Frequency(
        (2, Gen.Select(Case("Content-Length"), Ows(), LengthValue(), Ows(), Eol(), (n, a, v, b, e) => n + ":" + a + v + b + e)),
        (2, Gen.Select(Case("Transfer-Encoding"), Ows(), Codings(), Eol(), (n, a, v, e) => n + ":" + a + v + e)),
        (3, Gen.Select(Case("Connection"), Gen.OneOf("close", "keep-alive", "Keep-Alive", "close, keep-alive", "upgrade", "closed", "x, close"), Eol(),
            (n, v, e) => n + ": " + v + e)),
        (24, Gen.Select(Str(TokenChars, 1, 12), Ows(), Str("abc XYZ019!\"#/:;=?@[\\]{}~\t\u0080\u00e9\u00ff", 0, 16), Eol(), (n, a, v, e) => n + ":" + a + v + e)),
        (1, Gen.OneOf(" folded\r\n", "\tfolded\r\n", "X-A : 1\r\n", "X-A\t: 1\r\n", ": empty\r\n", "NoColon\r\n", "X\0A: 1\r\n", "X-A: a\0b\r\n",
            "X-A: a\rb\r\n", "X-A: a\nb\r\n", "X-\u0080: 1\r\n", "X-A: \u007f\r\n", "X-A: \u0001\r\n", "X-A:\r\n", " \r\n", "X-A: 1\r\n \r\n")));

    private static Gen<string> Ext() => Gen.Frequency(
        (24, Gen.Const("")),
        (4, Gen.Select(Str(TokenChars, 1, 6), Gen.Frequency((3, Gen.Const("")), (2, Str(TokenChars, 0, 6).Select(v => "=" + v)),
            (2, Str("ab \t!#;=,\\\"\u0080\u00ff", 0, 6).Select(v => "=\"" + v.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""))),
            (name, value) => ";" + name + value).Array[1, 3].Select(string.Concat)),
        (1, Gen.OneOf(";", " ;a", "; a", ";a =b", ";a= b", ";a=\"x\"y", ";a=\"x", ";a;", ";a=b=c", "\t", " ", ";a=\u0001", ";\u0080", ";a=\"\u0001\"", ";a=\"\\\u0001\"")));

    private static Gen<string> ChunkSize(int length) => Gen.Frequency(
        (24, Gen.Const(length.ToString("x", System.Globalization.CultureInfo.InvariantCulture))),
        (3, Gen.OneOf(length.ToString("X", System.Globalization.CultureInfo.InvariantCulture), "000" + length.ToString("x", System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Int[0, 20].Select(zeros => new string('0', zeros) + length.ToString("x", System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf((length + 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture), "+" + length.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
            "0x" + length.ToString("x", System.Globalization.CultureInfo.InvariantCulture), "", "fffffffffffffff", "ffffffffffffffff", "10000000000000000")));

    private static Gen<string> Chunk() => Gen.Int[1, 12].SelectMany(length => Gen.Select(
        ChunkSize(length), Ext(), Str("abcxyz\r\n0;", length, length), Eol(), Gen.Frequency((40, Gen.Const("\r\n")), (1, Gen.OneOf("\n", "", "XX", "\r"))),
        (size, ext, data, eol, end) => size + ext + eol + data + end));

    private static Gen<string> Trailers() => Gen.Frequency(
        (16, Gen.Const("")),
        (4, Gen.Select(Str(TokenChars, 1, 8), Str("abc 09\t\u0080", 0, 8), (n, v) => n + ": " + v + "\r\n").Array[1, 2].Select(string.Concat)),
        (1, Gen.OneOf("Content-Length: 7\r\n", "Transfer-Encoding: chunked\r\n", "bad trailer\r\n", "T : v\r\n", " folded\r\n", "T: a\0b\r\n", "T: a\rb\r\n", ":v\r\n")));

    private static Gen<string> ChunkedBody() => Gen.Select(
        Chunk().Array[0, 3], Gen.Frequency((10, Gen.Const("0")), (1, Gen.OneOf("00", "000000000000000000", "0 "))), Ext(), Eol(), Trailers(), Eol(),
        Gen.Frequency((10, Gen.Const("")), (1, Gen.OneOf("JUNK", "HTTP/1.1 200 OK\r\n\r\n"))),
        (chunks, last, ext, eol, trailers, end, after) => string.Concat(chunks) + last + ext + eol + trailers + end + after);

    private static Gen<string> RawBody(int length) => Gen.Frequency(
        (10, Str("abc\r\n0;", length, length)),
        (2, Gen.Int[0, 3].SelectMany(delta => Str("abc", Math.Max(0, length - delta), Math.Max(0, length - delta)))),
        (2, Str("abc\r\n", 0, 70)));

    /// <summary>A final response: a planned framing, then headers that mostly follow the plan and sometimes fight it.</summary>
    private static Gen<string> FinalResponse() => Gen.Int[0, 3].SelectMany(plan => Gen.Int[0, 70].SelectMany(length => Gen.Select(
        StatusLine(), Eol(),
        plan switch
        {
            0 => Gen.Const($"Content-Length: {length}\r\n"),
            1 => Gen.Const("Transfer-Encoding: chunked\r\n"),
            _ => Gen.Const(""),
        },
        Header().Array[0, 4], Gen.Int[0, 4], Gen.Frequency((25, Gen.Const("\r\n")), (1, Eol())),
        plan == 1 ? Gen.Frequency((8, ChunkedBody()), (1, RawBody(length))) : Gen.Frequency((8, RawBody(length)), (1, ChunkedBody())),
        (status, eol, framing, headers, at, end, body) =>
        {
            var lines = headers.ToList();
            lines.Insert(Math.Min(at, lines.Count), framing);
            return status + eol + string.Concat(lines) + end + body;
        })));

    /// <summary>Most cases as built; some with one to three bytes replaced, inserted or deleted at random places.</summary>
    private static Gen<string> Mutate(string data) => Gen.Frequency(
        (8, Gen.Const(data)),
        (1, Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Char[Nasty]).Array[1, 3].Select(edits =>
        {
            var builder = new StringBuilder(data);
            foreach (var (kind, where, c) in edits)
            {
                var at = where % (builder.Length + 1);
                switch (kind)
                {
                    case 0 when at < builder.Length: builder[at] = c; break;
                    case 1: builder.Insert(at, c); break;
                    case 2 when at < builder.Length: builder.Remove(at, 1); break;
                }
            }

            return builder.ToString();
        })));
}
