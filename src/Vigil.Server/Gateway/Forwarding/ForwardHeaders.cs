using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>Receives the headers Vigil adds to an upstream request.</summary>
internal interface IHeaderSink
{
    void Add(string name, string value);
}

/// <summary>
/// Which headers cross the gateway, in both directions; shared by Vigil's HTTP/1.1 forwarder and the YARP path
/// (upgrades), so both shape requests identically: hop-by-hop headers never cross, client-sent identity and
/// forwarding headers are removed, Vigil's cookies stay at the gateway, and Vigil's own headers are added.
/// </summary>
internal static class ForwardHeaders
{
    /// <summary>
    /// Whether a client request header is copied to the upstream (Vigil writes Host, framing and Cookie itself). Names
    /// with <c>_</c> are dropped as nginx drops them (a <c>Transfer_Encoding</c> must not reach an upstream that reads it
    /// as <c>Transfer-Encoding</c>), and so are the identity and forwarding families of <see cref="IdentityHeaders"/>,
    /// except the names the route passes through (<paramref name="pass"/>).
    /// </summary>
    public static bool IsCopiedRequestHeader(string name, StringValues connection, FrozenSet<string>? pass = null)
    {
        if (name.Length == 0 || name[0] == ':')
        {
            return false;
        }

        switch (name.Length)
        {
            case 2 when name.Equals("TE", StringComparison.OrdinalIgnoreCase):
            case 4 when name.Equals("Host", StringComparison.OrdinalIgnoreCase):
            case 6 when name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase):
            case 7 when name.Equals("Trailer", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase):
            case 10 when name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase):
            case 14 when name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase):
            case 16 when name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase):
            case 17 when name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase):
            case 19 when name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase):
                return false;
        }

        if (ListedIn(connection, name))
        {
            return false;
        }

        if (pass is not null && pass.Contains(name))
        {
            return true;
        }

        return !name.Contains('_', StringComparison.Ordinal) && !IdentityHeaders.IsReserved(name);
    }

    /// <summary>Whether an upstream response header is copied to the client (Content-Length is applied separately).</summary>
    public static bool IsCopiedResponseHeader(ReadOnlySpan<char> name) =>
        !(name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase) ||
          name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) ||
          name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Trailer", StringComparison.OrdinalIgnoreCase) ||
          name.Equals("TE", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ||
          name.Equals(IdentityHeaders.RequestId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="name"/> is one of the comma-separated options of a Connection header.</summary>
    public static bool ListedIn(StringValues connection, ReadOnlySpan<char> name)
    {
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }

            var rest = value.AsSpan();
            while (rest.Length > 0)
            {
                var comma = rest.IndexOf(',');
                var token = (comma < 0 ? rest : rest[..comma]).Trim();
                if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                rest = comma < 0 ? [] : rest[(comma + 1)..];
            }
        }

        return false;
    }

    /// <summary>The client's cookies without Vigil's own (session, login state, antiforgery), or null when none remain.</summary>
    public static string? FilterCookies(StringValues cookies, string sessionCookieName)
    {
        if (cookies.Count == 0)
        {
            return null;
        }

        // Scanned in place: a request that carries only Vigil's cookies (the usual case behind the gateway) allocates nothing.
        StringBuilder? kept = null;
        foreach (var header in cookies)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var part = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? default : rest[(end + 1)..];
                if (part.IsEmpty)
                {
                    continue;
                }

                if (!CarriesVigilCookie(part, sessionCookieName))
                {
                    (kept is null ? kept = new StringBuilder() : kept.Append("; ")).Append(part);
                }
            }
        }

        return kept?.ToString();
    }

    /// <summary>
    /// Whether a ';'-separated part of a Cookie header is, or hides, one of Vigil's cookies. Some parsers (ASP.NET Core's
    /// among them) also split at ',', so a part such as <c>a=1, __vigil_session=…</c> is dropped whole rather than
    /// passed on.
    /// </summary>
    private static bool CarriesVigilCookie(ReadOnlySpan<char> part, string sessionCookieName)
    {
        foreach (var range in part.Split(','))
        {
            var piece = part[range];
            var eq = piece.IndexOf('=');
            if (IsVigilCookie((eq < 0 ? piece : piece[..eq]).Trim(), sessionCookieName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a cookie name belongs to Vigil (never sent to, nor accepted from, an upstream).</summary>
    public static bool IsVigilCookie(ReadOnlySpan<char> name, string sessionCookieName) =>
        name.StartsWith(sessionCookieName, StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("__vigil", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith(".AspNetCore.", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("__Host-vigil", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether an upstream Set-Cookie value sets one of Vigil's cookies (such headers are dropped).</summary>
    public static bool SetsVigilCookie(string setCookie, string sessionCookieName)
    {
        var eq = setCookie.IndexOf('=', StringComparison.Ordinal);
        return IsVigilCookie(setCookie.AsSpan(0, Math.Max(0, eq)).Trim(), sessionCookieName);
    }

    /// <summary>Adds the forwarding and identity headers Vigil sets on every upstream request.</summary>
    public static void AddVigilHeaders<TSink>(ref TSink sink, ForwardContext forward, string scheme)
        where TSink : struct, IHeaderSink
    {
        sink.Add("X-Forwarded-For", forward.ClientIp);
        sink.Add("X-Forwarded-Proto", scheme);
        sink.Add("X-Forwarded-Host", forward.Host);
        sink.Add(IdentityHeaders.RequestId, forward.RequestId);
        sink.Add(IdentityHeaders.Decision, forward.Decision);
        if (forward.Subject is { IsAuthenticated: true } subject)
        {
            var headers = subject.Headers;
            sink.Add(IdentityHeaders.User, headers.User);
            sink.Add(IdentityHeaders.SubjectType, subject.Type);
            if (headers.Email is not null)
            {
                sink.Add(IdentityHeaders.Email, headers.Email);
            }

            if (headers.Name is not null)
            {
                sink.Add(IdentityHeaders.Name, headers.Name);
            }

            sink.Add(IdentityHeaders.Roles, headers.Roles);
            sink.Add(IdentityHeaders.Groups, headers.Groups);
        }

        if (forward.Assertion is not null)
        {
            sink.Add(IdentityHeaders.Assertion, forward.Assertion);
        }
    }
}
