namespace Vigil.Server.Configuration;

/// <summary>Settings of the built-in OIDC provider.</summary>
public sealed record BuiltinIdpConfig
{
    /// <summary>Access token lifetime; at most one hour. Default 15 minutes.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(15);

    public IReadOnlyList<ClientConfig> Clients { get; init; } = [];

    public LockoutConfig Lockout { get; init; } = new();
}
