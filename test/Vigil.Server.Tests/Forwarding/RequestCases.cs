using CsCheck;
using Vigil.Server.Gateway;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// CsCheck generators of requests as the gateway hands them to the forwarder: a method from llhttp's table (the
/// upstream parser knows no others), a target the normalizer accepted, an upstream base URL, and header lines, mostly
/// legal (any token name, values with inner whitespace and non-ASCII text) with some hop-by-hop, framing, cookie and
/// identity headers the forwarder must drop or rewrite, and a few with characters HTTP does not allow.
/// </summary>
internal static class RequestCases
{
    private const string TokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";

    public static readonly Gen<ForwardedRequest> Any = Gen.Select(
        Gen.Frequency((10, Gen.OneOf("GET", "POST", "HEAD")), (4, Gen.OneOf("PUT", "DELETE", "OPTIONS", "PATCH", "TRACE")),
            (2, Gen.OneOf("PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "PURGE", "QUERY", "M-SEARCH", "MKCALENDAR"))),
        Gen.OneOf("http://up.example", "http://up.example:8080/base", "https://10.0.0.7:8443/a/b", "http://[2001:db8::7]:81/x%20y", "http://xn--bcher-kva.example/"),
        Target(),
        Gen.Frequency((4, Gen.Const((string?)null)), (1, Gen.OneOf<string?>("app.example.com", "app.example.com:8443", "127.0.0.1", "[::1]:8080"))),
        Header().Array[0, 8],
        Gen.Frequency((6, Gen.Const((long?)null)), (2, Gen.Const((long?)0)), (2, Gen.Long[1, 1L << 40].Select(l => (long?)l))),
        Gen.Bool,
        Gen.Bool,
        Gen.Frequency((4, Gen.OneOf("alice", "bob@example.com")), (1, Gen.OneOf("J\u00fcrgen M\u00fcller", " padded ", "a%2Fb", "\u0001ctl", "\u4e2d\u6587"))),
        Gen.OneOf<string?>(null, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"),
        (method, baseUrl, target, host, headers, length, chunked, authenticated, user, assertion) =>
            new ForwardedRequest(method, baseUrl, target.Path, target.Query, host, headers, length, chunked, authenticated, user, assertion));

    private static Gen<string> Str(string alphabet, int min, int max) => Gen.Char[alphabet].Array[min, max].Select(a => new string(a));

    /// <summary>A raw target run through <see cref="RequestNormalizer"/>; only those it accepts reach the forwarder.</summary>
    private static Gen<NormalizedTarget> Target() => Gen.Select(
        Gen.Frequency(
            (8, Str("abcXYZ019-._~!$&'()*+,=:@", 1, 8)),
            (2, Gen.Select(Str("abc", 0, 3), Str("0123456789ABCDEFabcdef", 2, 2), (a, hex) => a + "%" + hex)),
            (1, Str("\"<>[]^`{|}", 1, 3))).Array[0, 4],
        Gen.Frequency((3, Gen.Const("")), (2, Str("abc=&+%20-._~!$'()*,;:@/?\"<>[]^`{|}", 0, 16).Select(q => "?" + q))),
        (segments, query) => RequestNormalizer.Normalize("/" + string.Join('/', segments) + query))
        .Where(t => t.IsValid);

    private static Gen<(string Name, string Value)> Header() => Gen.Frequency(
        (10, Gen.Select(Str(TokenChars, 1, 16), Value(), (n, v) => (n, v))),
        (3, Gen.Select(Gen.OneOf("Accept", "User-Agent", "Content-Type", "Authorization", "If-None-Match", "Accept-Language", "Range"), Value(), (n, v) => (n, v))),
        (3, Gen.Select(Gen.OneOf("Connection", "Keep-Alive", "TE", "Upgrade", "Trailer", "Proxy-Connection", "Proxy-Authorization", "Expect",
            "Transfer-Encoding", "Content-Length", "Host", "X-Forwarded-For", "X-Vigil-User", "X-Vigil-Assertion", "x_vigil_user"),
            Gen.OneOf("close", "keep-alive, X-Drop", "chunked", "5", "evil", "X-Keep"), (n, v) => (n, v))),
        (2, Gen.Select(Gen.Const("Cookie"), Gen.OneOf("a=1", "a=1; __vigil_session=secret", "__vigil_session=s, b=2", "b=caf\u00e9; c=\"q\""), (n, v) => (n, v))),
        (1, Gen.Select(Gen.OneOf("X-Drop", "X-Keep"), Value(), (n, v) => (n, v))),
        (1, Gen.Select(Gen.OneOf("X A", "X@A", "X-\u00e9", "X-A\t", "(X)", "X\"", "X/Y", "X{", ""), Value(), (n, v) => (n, v))),
        (1, Gen.Select(Str(TokenChars, 1, 6), Gen.OneOf("a\u0001b", "a\u007fb", "\u001b[0m", "a\u0000b", "a\rb", "a\nb", "\u0008"), (n, v) => (n, v))));

    private static Gen<string> Value() => Gen.Frequency(
        (10, Str("abcXYZ019 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", 0, 24).Select(v => v.Trim(' '))),
        (2, Str("ab \t\u00e9\u00ff\u20ac\u4e2d", 0, 12).Select(v => v.Trim(' ', '\t'))),
        (1, Gen.OneOf("", " leading", "trailing ", "\ttab")));
}
