namespace Vigil.Server.Storage;

/// <summary>One failed login counted against a throttle key (<c>account:...</c> or <c>ip:...</c>); pruned outside the window.</summary>
public sealed class LoginFailureEntity
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public long AtMs { get; set; }
}
