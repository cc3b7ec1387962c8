namespace Vigil.Server.Storage;

/// <summary>
/// A server-side revocation: one gateway/provider session (<see cref="Kind"/> <c>session</c>, key = session id) or
/// every session of a user authenticated up to <see cref="RevokedAtUnix"/> (<c>user</c>, key = user id).
/// Rows are kept until <see cref="ExpiresAtUnix"/>, after which the revoked cookie has expired on its own.
/// </summary>
public sealed class RevocationEntity
{
    public string Kind { get; set; } = "";
    public string Key { get; set; } = "";
    public long RevokedAtUnix { get; set; }
    public long ExpiresAtUnix { get; set; }
    public string Reason { get; set; } = "";
}
