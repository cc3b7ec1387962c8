namespace Vigil.Server.Gateway;

/// <summary>Which client headers a route may pass through the stripping of <see cref="IdentityHeaders"/> (checked at configuration load).</summary>
internal static class RouteHeaderRules
{
    /// <summary>Headers Vigil sets itself on every upstream request, whatever the client sent.</summary>
    private static readonly HashSet<string> SetByVigil = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
    };

    /// <summary>Headers that never cross the gateway, or that Vigil writes from its own facts.</summary>
    private static readonly HashSet<string> NeverPassed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Cookie", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Content-Length", "TE", "Trailer", "Upgrade",
        "Expect", "Proxy-Authorization",
    };

    /// <summary>Why a route may not pass this header through, or null when it may.</summary>
    public static string? PassError(string name)
    {
        if (!RequestHeadChecks.IsToken(name))
        {
            return $"'{name}' is not a header name";
        }

        var dashed = name.Replace('_', '-');
        if (dashed.StartsWith(IdentityHeaders.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{name}' is one of Vigil's own identity headers, which a client can never set";
        }

        if (SetByVigil.Contains(dashed))
        {
            return $"'{name}' is set by Vigil on every request; the client's value is never passed";
        }

        return NeverPassed.Contains(name) ? $"'{name}' is hop-by-hop or written by Vigil itself" : null;
    }
}
