namespace Vigil.Server.Configuration;

/// <summary>Identity: the built-in provider and external OIDC providers.</summary>
public sealed record IdentityConfig
{
    /// <summary>The built-in provider; null when disabled.</summary>
    public BuiltinIdpConfig? Builtin { get; init; }

    public IReadOnlyList<ExternalProviderConfig> External { get; init; } = [];

    /// <summary>The provider gateway sessions log in with: <c>builtin</c> or the name of an external provider.</summary>
    public string Provider { get; init; } = "builtin";
}
