namespace Vigil.Server.Gateway;

/// <summary>
/// Header names that carry identity or client facts. A client may never send them: every copy is removed,
/// whatever its case, with <c>_</c> in place of <c>-</c>, and however often it is repeated (a route may pass named
/// ones through, never Vigil's own). Vigil then sets its own: <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c> and
/// the <c>X-Vigil-*</c> identity headers.
/// </summary>
internal static class IdentityHeaders
{
    public const string Prefix = "X-Vigil-";
    public const string User = "X-Vigil-User";
    public const string Email = "X-Vigil-Email";
    public const string Name = "X-Vigil-Name";
    public const string Roles = "X-Vigil-Roles";
    public const string Groups = "X-Vigil-Groups";
    public const string SubjectType = "X-Vigil-Subject-Type";
    public const string Assertion = "X-Vigil-Assertion";
    public const string RequestId = "X-Vigil-Request-Id";
    public const string Decision = "X-Vigil-Decision";

    /// <summary>
    /// Whole families of names that proxies, frameworks and identity-aware gateways treat as facts vouched for by the
    /// proxy in front: client address and scheme (<c>X-Forwarded-*</c>, <c>X-Real-*</c>, <c>X-Remote-*</c>,
    /// <c>X-Client-*</c>, <c>X-Originating-*</c>), the original URL and host (<c>X-Original-*</c>, <c>X-Rewrite-*</c>),
    /// the authenticated user (<c>X-Auth-*</c>, <c>X-Authenticated-*</c>, <c>X-WebAuth-*</c>, the headers of Azure,
    /// Google IAP, AWS ALB, Cloudflare Access and Pomerium), client certificates (<c>X-SSL-*</c>, <c>SSL-Client-*</c>,
    /// <c>X-ARR-*</c>), Envoy's internal headers and method overrides. Compared lower-case with <c>_</c> read as <c>-</c>.
    /// </summary>
    private static readonly string[] ReservedPrefixes =
    [
        "x-vigil-", "x-forwarded", "x-original-", "x-rewrite-", "x-real-", "x-remote-", "x-auth-", "x-authenticated-", "x-client-",
        "x-cluster-client-", "x-originating-", "x-proxyuser-", "x-webauth-", "x-ms-client-principal", "x-goog-authenticated-", "x-goog-iap-",
        "x-amzn-oidc-", "cf-access-", "cf-connecting-", "x-pomerium-", "x-ssl-", "ssl-client-", "x-arr-", "x-envoy-", "x-http-method",
        "x-method-override",
    ];

    /// <summary>Single names of the same kind (see <see cref="ReservedPrefixes"/>).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "forwarded", "remote-user", "remote-addr", "client-ip", "true-client-ip", "fastly-client-ip", "proxy-client-ip", "wl-proxy-client-ip",
        "x-host", "x-http-host", "x-scheme", "x-url-scheme", "front-end-https", "x-user", "x-email", "x-username", "x-custom-ip-authorization",
    };

    /// <summary>The prefixes bucketed by their first letter after an optional <c>x-</c>, so most names test none or one.</summary>
    private static readonly string[][] PrefixBuckets = BuildBuckets();

    /// <summary>True when a client-sent header of this name must be removed before forwarding.</summary>
    public static bool IsReserved(string name)
    {
        if (name.Length > 128)
        {
            return true; // absurdly long names are never legitimate; drop to be safe
        }

        Span<char> buffer = stackalloc char[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            buffer[i] = c == '_' ? '-' : char.ToLowerInvariant(c);
        }

        ReadOnlySpan<char> normalized = buffer;
        var bucket = Bucket(normalized);
        if (bucket >= 0)
        {
            foreach (var prefix in PrefixBuckets[bucket])
            {
                if (normalized.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return Reserved.GetAlternateLookup<ReadOnlySpan<char>>().Contains(normalized);
    }

    private static int Bucket(ReadOnlySpan<char> name)
    {
        var x = name.Length > 2 && name[0] == 'x' && name[1] == '-';
        var letter = x ? name[2] : name.IsEmpty ? '\0' : name[0];
        return letter is >= 'a' and <= 'z' ? (x ? 26 : 0) + (letter - 'a') : -1;
    }

    private static string[][] BuildBuckets()
    {
        var buckets = new List<string>[52];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = [];
        }

        foreach (var prefix in ReservedPrefixes)
        {
            buckets[Bucket(prefix)].Add(prefix);
        }

        return [.. buckets.Select(b => b.ToArray())];
    }

    /// <summary>Makes a value safe for a header: no control characters, ASCII only (others percent-escaped).</summary>
    public static string Sanitize(string value)
    {
        var clean = true;
        foreach (var c in value)
        {
            if (c < ' ' || c > '~' || c == '%')
            {
                clean = false;
                break;
            }
        }

        return clean ? value : Uri.EscapeDataString(value);
    }
}
