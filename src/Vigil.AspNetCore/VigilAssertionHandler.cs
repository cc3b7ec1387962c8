using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Vigil.AspNetCore;

/// <summary>
/// Authenticates requests by the identity assertion Vigil adds to every forwarded request: ES256 only, key by
/// <c>kid</c> from Vigil's JWKS, exact issuer and audience, lifetime required. Plain <c>X-Vigil-*</c> headers are
/// not trusted by this handler.
/// </summary>
internal sealed class VigilAssertionHandler(IOptionsMonitor<VigilAssertionOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<VigilAssertionOptions>(options, logger, encoder)
{
    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };
    private static readonly Dictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> Keys = new(StringComparer.Ordinal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers[VigilAssertionDefaults.HeaderName];
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (headers.Count != 1 || string.IsNullOrEmpty(headers[0]))
        {
            return AuthenticateResult.Fail("more than one Vigil assertion");
        }

        try
        {
            var configuration = await KeysFor(Options).GetConfigurationAsync(Context.RequestAborted).ConfigureAwait(false);
            var issuer = Options.Issuer!.ToString();
            var result = await Tokens.ValidateTokenAsync(headers[0], new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = Options.Audience,
                IssuerSigningKeys = configuration.SigningKeys,
                TryAllIssuerSigningKeys = false,
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = Options.ClockSkew,
                LifetimeValidator = (notBefore, expires, _, _) =>
                {
                    var now = TimeProvider.GetUtcNow().UtcDateTime;
                    return expires is not null && expires.Value > now - Options.ClockSkew && (notBefore is null || notBefore.Value <= now + Options.ClockSkew);
                },
                NameClaimType = "email",
                RoleClaimType = "roles",
            }).ConfigureAwait(false);
            if (!result.IsValid)
            {
                return AuthenticateResult.Fail(result.Exception ?? new SecurityTokenException("invalid Vigil assertion"));
            }

            var identity = new ClaimsIdentity(result.ClaimsIdentity.Claims, Scheme.Name, "email", "roles");
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return AuthenticateResult.Fail(ex);
        }
    }

    private static ConfigurationManager<OpenIdConnectConfiguration> KeysFor(VigilAssertionOptions options)
    {
        var address = (options.JwksUri ?? new Uri(options.Issuer!, ".vigil/jwks")).ToString();
        lock (Keys)
        {
            if (!Keys.TryGetValue(address, out var manager))
            {
                var retriever = new HttpDocumentRetriever(options.Backchannel ?? new HttpClient()) { RequireHttps = !new Uri(address).IsLoopback };
                manager = new ConfigurationManager<OpenIdConnectConfiguration>(address, new JwksRetriever(), retriever);
                Keys[address] = manager;
            }

            return manager;
        }
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
