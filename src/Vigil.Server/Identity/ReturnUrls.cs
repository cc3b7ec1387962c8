namespace Vigil.Server.Identity;

/// <summary>
/// Open-redirect protection. The login flow only ever returns to the provider's own authorize endpoint; the
/// gateway's login helper only to a local path. Anything else (absolute URLs, <c>//host</c>, <c>/\host</c>,
/// encoded variants, control characters) falls back to a safe default.
/// </summary>
internal static class ReturnUrls
{
    public const string AuthorizePath = "/.vigil/idp/authorize";

    public static bool IsAuthorizeUrl(string? url) =>
        IsLocalPath(url) && (url!.StartsWith(AuthorizePath + "?", StringComparison.Ordinal) || url == AuthorizePath);

    /// <summary>A path on this site: starts with a single '/', no backslash, no scheme, no control characters, also after decoding.</summary>
    public static bool IsLocalPath(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 4096 || url[0] != '/')
        {
            return false;
        }

        for (var pass = 0; pass < 3; pass++)
        {
            if (url.Length > 1 && (url[1] == '/' || url[1] == '\\'))
            {
                return false;
            }

            foreach (var c in url)
            {
                if (c < ' ' || c == '\\' || c == 0x7F)
                {
                    return false;
                }
            }

            var decoded = Uri.UnescapeDataString(url);
            if (decoded == url)
            {
                break;
            }

            url = decoded;
        }

        return url[0] == '/';
    }
}
