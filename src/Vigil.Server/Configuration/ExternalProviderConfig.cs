namespace Vigil.Server.Configuration;

/// <summary>An external OIDC provider (discovery at <c>issuer/.well-known/openid-configuration</c>).</summary>
public sealed record ExternalProviderConfig
{
    public required string Name { get; init; }
    public required Uri Issuer { get; init; }
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
}
