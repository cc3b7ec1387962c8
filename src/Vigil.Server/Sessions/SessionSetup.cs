using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Vigil.Server.Configuration;
using Vigil.Server.Tls;

namespace Vigil.Server.Sessions;

/// <summary>
/// Gateway sessions: an encrypted, HttpOnly, SameSite=Lax cookie created only by the OIDC authorization code flow
/// (PKCE) against the configured provider (built-in or external). The cookie holds a reduced set of claims and a
/// fresh random session id; it is stripped from every upstream request.
/// </summary>
internal static class SessionSetup
{
    public static void Add(IServiceCollection services, VigilConfig config, string gatewaySecret, TimeProvider time, OwnCertificateTrust ownCertificate)
    {
        var secure = config.Server.PublicUrl.Scheme == "https";
        var builder = services.AddAuthentication(o =>
        {
            o.DefaultScheme = null;
        });

        builder.AddCookie(SessionSchemes.Cookie, o =>
        {
            o.Cookie.Name = config.Session.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = config.Session.Lifetime;
            o.SlidingExpiration = false;
            o.TimeProvider = time;
            o.Events.OnRedirectToLogin = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };

            // Session visibility: recorded once at sign-in; the gateway authenticates the cookie only when its
            // SessionCache misses, so this notes last-seen (in memory, flushed once a minute) at most every 30 s.
            o.Events.OnSignedIn = ctx => ctx.HttpContext.RequestServices.GetRequiredService<SessionActivity>().RecordSignInAsync(ctx.HttpContext, ctx.Principal!, ctx.Properties);
            o.Events.OnValidatePrincipal = ctx =>
            {
                if (ctx.Principal?.FindFirst(SessionSchemes.SessionIdClaim)?.Value is { } sid)
                {
                    ctx.HttpContext.RequestServices.GetRequiredService<SessionActivity>().Touch(sid);
                }

                return Task.CompletedTask;
            };
        });

        builder.AddCookie(SessionSchemes.IdpCookie, o =>
        {
            o.Cookie.Name = "__vigil_idp";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/.vigil/idp";
            o.ExpireTimeSpan = config.Session.Lifetime;
            o.SlidingExpiration = false;
            o.LoginPath = "/.vigil/idp/login";
            o.TimeProvider = time;
            o.Events.OnValidatePrincipal = ctx =>
            {
                // A logged-out (or disabled user's) provider cookie must not mint new gateway sessions.
                var revocations = ctx.HttpContext.RequestServices.GetRequiredService<SessionRevocations>();
                if (Subject.FromClaims(ctx.Principal!.Claims, ctx.Principal.FindFirst(SessionSchemes.SessionIdClaim)?.Value) is var subject &&
                    (!subject.IsAuthenticated || subject.SessionId is null || revocations.IsRevoked(subject)))
                {
                    ctx.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });

        string authority, clientId;
        string? clientSecret;
        if (config.Identity.Provider == "builtin")
        {
            authority = config.Server.PublicUrl.ToString();
            clientId = SessionSchemes.GatewayClientId;
            clientSecret = gatewaySecret;
        }
        else
        {
            var external = config.Identity.External.First(e => e.Name == config.Identity.Provider);
            authority = external.Issuer.ToString();
            clientId = external.ClientId;
            clientSecret = external.ClientSecret;
        }

        builder.AddOpenIdConnect(SessionSchemes.Oidc, o =>
        {
            o.Authority = authority;
            o.ClientId = clientId;
            o.ClientSecret = clientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.SaveTokens = false;
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            o.RequireHttpsMetadata = new Uri(authority).Scheme == "https";
            o.CallbackPath = SessionSchemes.CallbackPath;
            o.SignedOutCallbackPath = "/.vigil/signout-callback-oidc";
            o.SignInScheme = SessionSchemes.Cookie;
            o.TimeProvider = time;
            o.Scope.Clear();
            foreach (var scope in new[] { "openid", "profile", "email", "roles" })
            {
                o.Scope.Add(scope);
            }

            if (config.Identity.Provider == "builtin")
            {
                o.Scope.Add("groups");

                // Discovery, keys and tokens come from this process's own listener at public_url: its certificate is
                // trusted even when self-signed or from a private CA. An external provider keeps normal validation.
                o.BackchannelHttpHandler = ownCertificate.CreateHandler();
            }

            o.TokenValidationParameters.NameClaimType = "name";
            o.TokenValidationParameters.RoleClaimType = "role";
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.Events.OnRedirectToIdentityProvider = ctx =>
            {
                if (ctx.Properties.Items.TryGetValue(SessionSchemes.StepUpMaxAgeItem, out var maxAge) && maxAge is not null)
                {
                    ctx.ProtocolMessage.MaxAge = maxAge;
                    ctx.ProtocolMessage.AcrValues = "mfa";
                }

                return Task.CompletedTask;
            };
            o.Events.OnTicketReceived = ctx =>
            {
                ctx.Principal = ReduceClaims(ctx.Principal!);
                ctx.Properties!.IsPersistent = false;
                if (!Identity.ReturnUrls.IsLocalPath(ctx.ReturnUri))
                {
                    ctx.ReturnUri = "/";
                }

                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = async ctx =>
            {
                ctx.HandleResponse();
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync("<!doctype html><title>Sign-in failed · Vigil</title><h1>Sign-in failed</h1><p>The sign-in could not be completed. <a href=\"/\">Try again</a>.</p>").ConfigureAwait(false);
            };
        });
    }

    /// <summary>Keeps only what decisions and identity headers need, and adds a new random session id.</summary>
    private static ClaimsPrincipal ReduceClaims(ClaimsPrincipal principal)
    {
        string[] keep = ["sub", "name", "email", "preferred_username", "role", "roles", "groups", "amr", "auth_time", "iss", SessionSchemes.MfaTimeClaim, "vigil_subject_type"];
        var identity = new ClaimsIdentity(SessionSchemes.Cookie, "name", "role");
        foreach (var claim in principal.Claims)
        {
            if (Array.IndexOf(keep, claim.Type) >= 0)
            {
                identity.AddClaim(new Claim(claim.Type, claim.Value, claim.ValueType));
            }
        }

        identity.AddClaim(new Claim(SessionSchemes.SessionIdClaim, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
        if (identity.FindFirst(SessionSchemes.MfaTimeClaim) is null && identity.FindFirst("auth_time") is { } authTime &&
            identity.FindAll("amr").Any(c => Subject.IsMfaMethod(c.Value)))
        {
            identity.AddClaim(new Claim(SessionSchemes.MfaTimeClaim, authTime.Value, ClaimValueTypes.Integer64));
        }

        return new ClaimsPrincipal(identity);
    }
}
