using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace Vigil.Server.Sessions;

/// <summary>
/// Finds the session cookie's value in a plain <c>Cookie</c> header without building the request's cookie collection
/// (which copies every value): one header line, the name present exactly once at a cookie boundary, and a value of
/// base64url characters, which is what Vigil issues. Anything else answers false and the caller uses ASP.NET Core's
/// full parser. The value found is only ever used as a key of <see cref="SessionCache"/>, whose entries are cookie
/// values that were fully validated: a client can only hit an entry with a cookie value it holds.
/// </summary>
internal static class SessionCookie
{
    private static readonly SearchValues<char> Base64Url = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool TryFind(StringValues headers, string name, out ReadOnlySpan<char> value)
    {
        value = default;
        if (headers.Count != 1 || headers[0] is not { } header)
        {
            return false;
        }

        var text = header.AsSpan();
        var at = Boundary(text, name, 0);
        if (at < 0 || Boundary(text, name, at + name.Length) >= 0)
        {
            return false; // absent, or more than once: the full parser decides which one counts
        }

        var start = at + name.Length + 1;
        var length = text[start..].IndexOfAnyExcept(Base64Url);
        var end = length < 0 ? text.Length : start + length;

        // The value must end the header or be followed by the separator; quoting, escapes and other characters go the long way.
        var rest = text[end..].TrimStart(' ');
        if (end == start || (rest.Length > 0 && rest[0] != ';'))
        {
            return false;
        }

        value = text[start..end];
        return true;
    }

    /// <summary>The index of <c>name=</c> at the start of a cookie (header start, or after <c>;</c> and spaces), from <paramref name="from"/>; -1 if none.</summary>
    private static int Boundary(ReadOnlySpan<char> text, string name, int from)
    {
        while (from < text.Length)
        {
            var found = text[from..].IndexOf(name, StringComparison.Ordinal);
            if (found < 0)
            {
                return -1;
            }

            var at = from + found;
            var before = text[..at].TrimEnd(' ');
            if ((before.Length == 0 || before[^1] == ';') && at + name.Length < text.Length && text[at + name.Length] == '=')
            {
                return at;
            }

            from = at + 1;
        }

        return -1;
    }
}
