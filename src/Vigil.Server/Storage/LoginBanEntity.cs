namespace Vigil.Server.Storage;

/// <summary>
/// Ban state of one throttle key: the current ban (if any), when the last one started and how many there were (for
/// the doubling back-off). <see cref="Version"/> is bumped by every change, so two nodes changing the same key at once
/// cannot both succeed (a ban or a lift is recorded once).
/// </summary>
public sealed class LoginBanEntity
{
    public string Key { get; set; } = "";
    public long? BannedUntilMs { get; set; }
    public long? LastBanMs { get; set; }
    public int Bans { get; set; }
    public long Version { get; set; }
}
