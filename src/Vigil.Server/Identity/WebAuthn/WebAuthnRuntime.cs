using Fido2NetLib;
using Microsoft.Extensions.Logging;

namespace Vigil.Server.Identity.WebAuthn;

/// <summary>
/// Process-wide WebAuthn state: the relying party derived from the public URL, the Fido2 verifier configured for it
/// (attestation and assertion verification are the Fido2 library's). Outstanding challenges are in the store
/// (<see cref="WebAuthnChallengeStore"/>), shared by every node.
/// </summary>
internal sealed partial class WebAuthnRuntime
{
    /// <summary>How long the browser may take for a ceremony (sent as the options' <c>timeout</c>).</summary>
    public static readonly TimeSpan CeremonyTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long a challenge stays valid on the server: the ceremony timeout plus time to post the result.</summary>
    public static readonly TimeSpan ChallengeLifetime = CeremonyTimeout + TimeSpan.FromSeconds(30);

    public WebAuthnRuntime(Uri publicUrl, ILogger<WebAuthnRuntime> logger)
    {
        RelyingParty = WebAuthnRelyingParty.FromPublicUrl(publicUrl);
        if (RelyingParty is { } rp)
        {
            Fido = new Fido2(new Fido2Configuration
            {
                RPID = rp.Id,
                RPName = "Vigil",
                Origins = new HashSet<string>(StringComparer.Ordinal) { rp.Origin },
                ChallengeSize = 32,
                Timeout = (uint)CeremonyTimeout.TotalMilliseconds,
            }, metadataService: null);
        }
        else
        {
            LogDisabled(logger, publicUrl.Host);
        }
    }

    public WebAuthnRelyingParty? RelyingParty { get; }

    /// <summary>The verifier; null when the public URL cannot be a relying party (IP address host).</summary>
    public IFido2? Fido { get; }

    public bool Enabled => Fido is not null;
}
