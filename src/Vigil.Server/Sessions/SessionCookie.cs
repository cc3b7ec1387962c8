using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace Vigil.Server.Sessions;

/// <summary>
/// Finds the session cookie's value in a plain <c>Cookie</c> header without building the request's cookie collection
/// (which copies every value): one header line without commas, quotes or tabs, the name present exactly once among the
/// ';'-separated cookies (ignoring case, as the collection compares names), and a value of base64url characters, which
/// is what Vigil issues. Anything else answers false and the caller uses ASP.NET Core's full parser. The value found is
/// only ever used as a key of <see cref="SessionCache"/>, whose entries are cookie values that were fully validated: a
/// client can only hit an entry with a cookie value it holds.
/// </summary>
internal static class SessionCookie
{
    private static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    // Characters that make ASP.NET Core's parser read a header differently from a plain split at ';': commas (also a
    // separator to it), quotes (quoted values) and tabs (trimmed whitespace). Such headers take the long way.
    private static readonly SearchValues<char> Unusual = SearchValues.Create(",\"\t");

    public static bool TryFind(StringValues headers, string name, out ReadOnlySpan<char> value)
    {
        value = default;
        if (headers.Count != 1 || headers[0] is not { } header || header.AsSpan().IndexOfAny(Unusual) >= 0)
        {
            return false;
        }

        // Cookies are the ';'-separated parts; a ticket has no ';', so this is one vectorized scan per cookie.
        var rest = header.AsSpan();
        var found = false;
        while (true)
        {
            var separator = rest.IndexOf(';');
            var part = (separator < 0 ? rest : rest[..separator]).TrimStart(' ');
            if (part.Length > name.Length && part[name.Length] == '=' && part[..name.Length].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (found)
                {
                    return false; // more than once (names compare ignoring case, as the collection's do): the full parser decides
                }

                found = true;
                value = part[(name.Length + 1)..].TrimEnd(' ');
            }

            if (separator < 0)
            {
                break;
            }

            rest = rest[(separator + 1)..];
        }

        // Escapes and other characters go the long way.
        if (!found || value.IsEmpty || value.IndexOfAnyExcept(Base64Url) >= 0)
        {
            value = default;
            return false;
        }

        return true;
    }
}
