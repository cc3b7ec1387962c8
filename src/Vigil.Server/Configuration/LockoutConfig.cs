namespace Vigil.Server.Configuration;

/// <summary>Brute-force protection: failures within <see cref="Window"/> lead to a ban that doubles up to <see cref="MaxBan"/>.</summary>
public sealed record LockoutConfig
{
    public int MaxFailuresPerAccount { get; init; } = 5;
    public int MaxFailuresPerIp { get; init; } = 20;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan Ban { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxBan { get; init; } = TimeSpan.FromHours(1);
}
