namespace Vigil.Server.Configuration;

/// <summary>The gateway session cookie.</summary>
public sealed record SessionConfig
{
    public string CookieName { get; init; } = "__vigil_session";
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(8);
}
