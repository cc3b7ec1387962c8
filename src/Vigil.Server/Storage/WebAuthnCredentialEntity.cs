namespace Vigil.Server.Storage;

/// <summary>
/// A WebAuthn (FIDO2 security key or passkey) credential registered by a user of the built-in provider. Binary
/// values are stored as base64url text so the columns are plain <c>VARCHAR</c>/<c>BIGINT</c> on every database.
/// </summary>
public sealed class WebAuthnCredentialEntity
{
    /// <summary>Row id (random, shown in the account page's remove form).</summary>
    public string Id { get; set; } = "";

    public string UserId { get; set; } = "";

    /// <summary>The authenticator's credential id, base64url (unique across all users).</summary>
    public string CredentialId { get; set; } = "";

    /// <summary>COSE-encoded public key, base64url.</summary>
    public string PublicKey { get; set; } = "";

    /// <summary>Last signature counter seen; a later assertion must carry a larger one (0 and 0 means no counter).</summary>
    public long SignCount { get; set; }

    /// <summary>Authenticator model (AAGUID), as reported at registration; all zeros for many keys.</summary>
    public string AaGuid { get; set; } = "";

    /// <summary>The WebAuthn user handle the credential was created for, base64url.</summary>
    public string UserHandle { get; set; } = "";

    /// <summary>Transports the browser reported (<c>usb</c>, <c>nfc</c>, <c>internal</c>, ...), comma separated.</summary>
    public string Transports { get; set; } = "";

    /// <summary>Name the user gave the authenticator.</summary>
    public string Name { get; set; } = "";

    public long CreatedAtUnix { get; set; }
    public long? LastUsedAtUnix { get; set; }
}
