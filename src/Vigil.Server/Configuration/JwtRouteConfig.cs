namespace Vigil.Server.Configuration;

/// <summary>Bearer token validation for <c>auth: jwt</c> routes.</summary>
public sealed record JwtRouteConfig
{
    public required Uri Issuer { get; init; }

    /// <summary>JWKS URL; default from the issuer's discovery document.</summary>
    public Uri? JwksUri { get; init; }

    public required IReadOnlyList<string> Audiences { get; init; }
}
