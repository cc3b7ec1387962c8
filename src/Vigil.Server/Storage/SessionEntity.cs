namespace Vigil.Server.Storage;

/// <summary>
/// A gateway session as recorded at sign-in (<c>vigil_sessions</c>), for <c>vigil sessions list</c>. The cookie stays
/// the authority (the row is informational); revocation is <see cref="RevocationEntity"/>. Rows are pruned at expiry.
/// </summary>
public sealed class SessionEntity
{
    /// <summary>The session id carried in the cookie (<c>session</c> in the decision log).</summary>
    public string Id { get; set; } = "";

    /// <summary>The subject (<c>sub</c>): the user id for the built-in provider.</summary>
    public string Subject { get; set; } = "";

    /// <summary>Login or display name at sign-in.</summary>
    public string? UserName { get; set; }
    public long CreatedAtUnix { get; set; }
    public long ExpiresAtUnix { get; set; }

    /// <summary>Coarse: updated at most once a minute per node, from requests that missed the session cache.</summary>
    public long LastSeenAtUnix { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>Authentication methods (<c>amr</c>), space separated, e.g. <c>pwd otp</c>.</summary>
    public string? Amr { get; set; }
    public long? RevokedAtUnix { get; set; }
    public string? RevokedReason { get; set; }
}
