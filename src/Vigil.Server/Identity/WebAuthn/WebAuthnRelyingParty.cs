namespace Vigil.Server.Identity.WebAuthn;

/// <summary>
/// The relying party as browsers see it: the RP id is the public URL's host name and the only accepted origin is the
/// public URL's scheme, host and port. WebAuthn does not allow an IP address as RP id, so a public URL with an IP
/// address host has no relying party and security keys are not offered.
/// </summary>
internal sealed record WebAuthnRelyingParty(string Id, string Origin)
{
    public static WebAuthnRelyingParty? FromPublicUrl(Uri publicUrl)
    {
        if (publicUrl.HostNameType != UriHostNameType.Dns)
        {
            return null;
        }

        var host = publicUrl.IdnHost.TrimEnd('.').ToLowerInvariant();
        var origin = publicUrl.Scheme + "://" + host + (publicUrl.IsDefaultPort ? "" : ":" + publicUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new WebAuthnRelyingParty(host, origin);
    }
}
