namespace Vigil.Server.Configuration;

/// <summary>An OAuth client of the built-in provider.</summary>
public sealed record ClientConfig
{
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public IReadOnlyList<Uri> RedirectUris { get; init; } = [];
    /// <summary><c>authorization_code</c> and/or <c>client_credentials</c>.</summary>
    public IReadOnlyList<string> GrantTypes { get; init; } = ["authorization_code"];
}
