namespace Vigil.Server.Gateway;

/// <summary>
/// Header names that carry identity or client facts. A client may never send them: every copy is removed,
/// whatever its case, with <c>_</c> in place of <c>-</c>, and however often it is repeated. Vigil then sets its own.
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

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "x-forwarded-user", "x-forwarded-email", "x-forwarded-groups", "x-forwarded-preferred-username", "x-forwarded-access-token",
        "x-auth-request-user", "x-auth-request-email", "x-auth-request-groups", "x-auth-request-preferred-username", "x-auth-request-access-token",
        "remote-user", "x-remote-user", "x-user", "x-email", "x-authenticated-user", "x-authenticated-userid", "x-ms-client-principal",
        "x-ms-client-principal-name", "x-ms-client-principal-id", "x-goog-authenticated-user-email", "x-goog-authenticated-user-id",
        "x-amzn-oidc-identity", "x-amzn-oidc-data", "x-amzn-oidc-accesstoken",
        "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-server",
        "x-real-ip", "x-client-ip", "true-client-ip", "cf-connecting-ip", "x-cluster-client-ip", "x-original-url", "x-rewrite-url", "x-original-host",
    };

    /// <summary>True when a client-sent header of this name must be removed before forwarding.</summary>
    public static bool IsReserved(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 128)];
        if (name.Length > 128)
        {
            return true; // absurdly long names are never legitimate identity headers; drop to be safe
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            buffer[i] = c == '_' ? '-' : char.ToLowerInvariant(c);
        }

        var normalized = buffer[..name.Length];
        if (normalized.StartsWith("x-vigil-"))
        {
            return true;
        }

        return Reserved.GetAlternateLookup<ReadOnlySpan<char>>().Contains(normalized);
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
