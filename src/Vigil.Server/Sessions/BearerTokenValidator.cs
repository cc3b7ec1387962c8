using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Vigil.Server.Configuration;

namespace Vigil.Server.Sessions;

/// <summary>
/// Validates bearer JWTs for <c>auth: jwt</c> routes: asymmetric algorithms only (no <c>none</c>, no HMAC, so no
/// RS/HS confusion), keys only from the configured issuer's JWKS (header <c>jwk</c>/<c>jku</c>/<c>x5u</c> are ignored,
/// an unknown <c>kid</c> fails), exact issuer, one of the configured audiences, <c>exp</c> required, lifetime checked
/// against <see cref="TimeProvider"/> with 30 s skew; before any of that, <see cref="JwtShape"/> refuses critical
/// extensions, date claims that are not numbers and duplicate members.
/// </summary>
internal sealed class BearerTokenValidator
{
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IConfigurationManager<OpenIdConnectConfiguration> _keys;
    private readonly JwtRouteConfig _config;
    private readonly TimeProvider _time;

    public BearerTokenValidator(JwtRouteConfig config, HttpClient backchannel, TimeProvider time)
    {
        _config = config;
        _time = time;
        var retriever = new HttpDocumentRetriever(backchannel) { RequireHttps = config.Issuer.Scheme == "https" };
        _keys = config.JwksUri is { } jwks
            ? new ConfigurationManager<OpenIdConnectConfiguration>(jwks.ToString(), new JwksRetriever(), retriever)
            : new ConfigurationManager<OpenIdConnectConfiguration>(config.Issuer.ToString().TrimEnd('/') + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever);
    }

    /// <summary>Returns the validated claims, or null (with a reason) when the token must be refused.</summary>
    public async Task<(ClaimsIdentity? Identity, string? Error)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > 16 * 1024)
        {
            return (null, "token_too_large");
        }

        if (JwtShape.Check(token) is { } shapeError)
        {
            return (null, "invalid_token: " + shapeError);
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _keys.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, "issuer_keys_unavailable");
        }

        var issuer = _config.Issuer.ToString();
        var parameters = new TokenValidationParameters
        {
            ValidIssuers = [issuer, issuer.TrimEnd('/')],
            ValidAudiences = _config.Audiences,
            ValidateAudience = true,
            ValidateIssuer = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = configuration.SigningKeys,
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidAlgorithms = Algorithms,
            ValidateLifetime = true,
            LifetimeValidator = ValidateLifetime,
            ClockSkew = Skew,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid || result.ClaimsIdentity is null)
        {
            return (null, "invalid_token: " + (result.Exception?.GetType().Name ?? "rejected"));
        }

        return (result.ClaimsIdentity, null);
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            return false;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        return (notBefore is null || notBefore.Value <= now + Skew) && expires.Value > now - Skew;
    }

    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
            var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = new JsonWebKeySet(json) };
            foreach (var key in configuration.JsonWebKeySet.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
