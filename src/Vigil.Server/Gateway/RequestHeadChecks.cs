using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Vigil.Server.Gateway;

/// <summary>
/// Checks a request's header section before it is routed, on every protocol, so that no upstream ever reads a header
/// differently from Vigil: field names must be RFC 9110 tokens (Kestrel's HTTP/2 and HTTP/3 decoders accept a name
/// such as <c>transfer-encoding </c>, which an upstream that trims names would take for framing); values carry no
/// control character but HTAB (RFC 9110 5.5; Kestrel passes ESC and DEL, which strict upstreams refuse); HTTP/2 and
/// HTTP/3 requests carry no connection-specific field (RFC 9113 8.2.2: the request is malformed, not silently
/// cleaned); and Content-Length is a plain decimal number.
/// </summary>
internal static class RequestHeadChecks
{
    /// <summary>RFC 9110 5.6.2 tchar.</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>Control characters RFC 9110 5.5 allows in no field value (HTAB is allowed).</summary>
    private static readonly SearchValues<char> Controls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    /// <summary>The names of the method-override headers some frameworks honour (Rails, Express, Spring, ASP.NET).</summary>
    public static readonly string[] MethodOverrideHeaders = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    /// <summary>Why the header section is refused, or <see cref="RejectReason.None"/>.</summary>
    public static RejectReason Check(HttpRequest request)
    {
        var multiplexed = !HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol);
        foreach (var (name, values) in request.Headers)
        {
            if (!IsToken(name))
            {
                return RejectReason.BadHeader;
            }

            foreach (var value in values)
            {
                if (value is not null && value.AsSpan().ContainsAny(Controls))
                {
                    return RejectReason.BadHeader;
                }
            }

            if (multiplexed && IsConnectionSpecific(name, values))
            {
                return RejectReason.ConnectionSpecificHeader;
            }
        }

        if (request.Headers["Content-Length"] is { Count: > 0 } length && !IsPlainLength(length))
        {
            return RejectReason.BadContentLength;
        }

        return RejectReason.None;
    }

    /// <summary>Whether a name is a non-empty RFC 9110 token.</summary>
    public static bool IsToken(ReadOnlySpan<char> name) => !name.IsEmpty && !name.ContainsAnyExcept(TokenChars);

    /// <summary>
    /// The method a request asks for through a method-override header, upper-cased: null when there is none, and
    /// <see cref="RejectReason.BadMethodOverride"/> when the headers disagree or a value is not a method token.
    /// </summary>
    public static (string? Method, RejectReason Reject) MethodOverride(IHeaderDictionary headers)
    {
        string? method = null;
        foreach (var name in MethodOverrideHeaders)
        {
            foreach (var value in headers[name])
            {
                var candidate = value?.Trim();
                if (candidate is null || !IsToken(candidate))
                {
                    return (null, RejectReason.BadMethodOverride);
                }

                candidate = candidate.ToUpperInvariant();
                if (method is not null && method != candidate)
                {
                    return (null, RejectReason.BadMethodOverride);
                }

                method = candidate;
            }
        }

        return (method, RejectReason.None);
    }

    private static bool IsConnectionSpecific(string name, StringValues values) => name.Length switch
    {
        2 when name.Equals("te", StringComparison.OrdinalIgnoreCase) => !AllTrailers(values),
        7 => name.Equals("upgrade", StringComparison.OrdinalIgnoreCase),
        10 => name.Equals("connection", StringComparison.OrdinalIgnoreCase) || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase),
        16 => name.Equals("proxy-connection", StringComparison.OrdinalIgnoreCase),
        17 => name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static bool AllTrailers(StringValues values)
    {
        foreach (var value in values)
        {
            if (!string.Equals(value?.Trim(), "trailers", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlainLength(StringValues values)
    {
        string? first = null;
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value) || value.Length > 19 || value.AsSpan().ContainsAnyExceptInRange('0', '9') || (first is not null && first != value))
            {
                return false;
            }

            first = value;
        }

        return true;
    }
}
