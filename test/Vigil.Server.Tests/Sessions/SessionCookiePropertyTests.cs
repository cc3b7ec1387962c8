using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Server.Sessions;
using Vigil.Server.Tests.Properties;

namespace Vigil.Server.Tests.Sessions;

/// <summary>
/// The hot path's session cookie reader (<see cref="SessionCookie.TryFind"/>) against ASP.NET Core's own cookie parser,
/// as CsCheck properties (a failure shrinks to a small header): whenever the fast path answers, the request's cookie
/// collection finds the same value; and the fast path does answer for the plain headers browsers send.
/// </summary>
public sealed class SessionCookiePropertyTests
{
    private const string Name = "__vigil_session";
    private const string Base64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static Gen<string> Str(string alphabet, int min, int max) => Gen.Char[alphabet].Array[min, max].Select(a => new string(a));

    /// <summary>A cookie name: the session cookie (also in other cases, padded, or as a prefix or suffix of another name) or another.</summary>
    private static readonly Gen<string> CookieName = Gen.Frequency(
        (6, Gen.Const(Name)),
        (3, Gen.OneOf("__VIGIL_SESSION", "__Vigil_Session", Name + "_x", "x" + Name, " " + Name, Name + " ", "\t" + Name, Name + "\t", "\"" + Name + "\"")),
        (4, Str("abcXYZ09_-.!#$%&'*+^`|~", 1, 10)),
        (1, Str("abc;,= \t\"\\%\u00e9", 0, 6)));

    private static readonly Gen<string> CookieValue = Gen.Frequency(
        (6, Str(Base64Url, 1, 24)),
        (2, Gen.OneOf("", "\"q\"", "\"\"", "%41", "a b", "x,y", "a=b", "=", "\tq", "q\t", " q", "q ", "\"a;b\"", "\u00e9")),
        (2, Str(Base64Url + " ,;=\"\t%\\\u00e9", 0, 16)));

    private static readonly Gen<string> Separator = Gen.Frequency((6, Gen.Const("; ")), (2, Gen.OneOf(";", " ; ", ";  ")), (1, Gen.OneOf(", ", ",", ";;", " ", "; ;", ";\t")));

    private static readonly Gen<string> Header = Gen.Select(
        Gen.Select(CookieName, Gen.Frequency((12, Gen.Const("=")), (1, Gen.OneOf("", " =", "= ", "=="))), CookieValue, (n, eq, v) => n + eq + v).Array[1, 6],
        Separator.Array[5],
        (cookies, separators) => string.Concat(cookies.Select((c, i) => i == 0 ? c : separators[i - 1] + c)));

    [Fact]
    public void TryFind_AnyHeader_AgreesWithAspNetCoreWheneverItAnswers()
    {
        var answered = 0;
        var cases = PropertyRuns.Long ? 2_000_000 : 100_000;
        PropertyRuns.Sample(Header, header =>
        {
            if (!SessionCookie.TryFind(new StringValues(header), Name, out var value))
            {
                return;
            }

            Interlocked.Increment(ref answered);
            var aspNetCore = AspNetCoreFinds(header);
            Assert.True(aspNetCore == value.ToString(), $"fast path {value.ToString()}, ASP.NET Core {aspNetCore ?? "(none)"}");
        }, seed: 4, count: cases, longCount: cases);

        Assert.True(answered > cases / 20, $"only {answered} of {cases} headers took the fast path: the generator no longer exercises it");
    }

    [Fact]
    public void TryFind_PlainBrowserHeader_AnswersWithTheSessionValue()
    {
        // What browsers send: '; '-separated token names and base64url values, the session cookie exactly once.
        var plain = Gen.Select(
            Gen.Select(Str("abcdefXYZ09_-", 1, 10).Where(n => !n.Equals(Name, StringComparison.OrdinalIgnoreCase)), Str(Base64Url, 0, 20), (n, v) => n + "=" + v).Array[0, 6],
            Str(Base64Url, 1, 40), Gen.Int[0, 6],
            (others, session, at) => (Header: string.Join("; ", others.Take(at).Append(Name + "=" + session).Concat(others.Skip(at))), Session: session));
        PropertyRuns.Sample(plain, t =>
        {
            Assert.True(SessionCookie.TryFind(new StringValues(t.Header), Name, out var value), "the fast path left a plain header to the full parser");
            Assert.Equal(t.Session, value.ToString());
            Assert.Equal(t.Session, AspNetCoreFinds(t.Header));
        }, seed: 5, count: 20_000, longCount: 500_000);
    }

    private static string? AspNetCoreFinds(string header)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = header;
        return context.Request.Cookies[Name];
    }
}
