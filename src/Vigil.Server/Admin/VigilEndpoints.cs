using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Server.Gateway;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;

namespace Vigil.Server.Admin;

/// <summary>Vigil's own endpoints under <c>/.vigil/</c>: JWKS for assertions, login/logout helpers, session info, health.</summary>
internal static class VigilEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/.vigil/jwks", (AssertionSigner signer) => Results.Text(signer.Jwks, "application/jwk-set+json"));
        // 503 while decisions cannot be recorded, so a load balancer takes the node out of rotation.
        // A reloaded file with start-up-only changes stays healthy; the text names what waits for a restart.
        app.MapGet("/.vigil/health", (Vigil.Server.Audit.DecisionLog log, GatewayState state) => log.Healthy
            ? Results.Text(state.RestartRequired is { Count: > 0 } pending ? "ok; restart to apply: " + string.Join(", ", pending) : "ok")
            : Results.Text(log.Failing ? "degraded: the decision log cannot be written" : "degraded: the decision log is not keeping up", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/.vigil/login", async (HttpContext context, string? rd) =>
        {
            var target = ReturnUrls.IsLocalPath(rd) && !GatewayMiddleware.IsVigilPath(rd!) ? rd! : "/";
            await context.ChallengeAsync(SessionSchemes.Oidc, new AuthenticationProperties { RedirectUri = target }).ConfigureAwait(false);
        });
        app.MapGet("/.vigil/logout", async (HttpContext context, SessionRevocations revocations) =>
        {
            // Revoke server-side, so a copy of the cookie is refused from now on, not only once it expires. The provider
            // cookie is only sent under /.vigil/idp, so its session is revoked there (the redirect below).
            await RevokeAsync(context, revocations, SessionSchemes.Cookie).ConfigureAwait(false);
            return Results.Redirect(IdpLogoutPath);
        });
        app.MapGet(IdpLogoutPath, async (HttpContext context, SessionRevocations revocations) =>
        {
            await RevokeAsync(context, revocations, SessionSchemes.IdpCookie).ConfigureAwait(false);
            return Pages.Html("Signed out", "<p>You are signed out.</p><p><a href=\"/\">Sign in again</a></p>");
        });
        app.MapGet("/.vigil/session", async (HttpContext context, SessionRevocations revocations) =>
        {
            var result = await context.AuthenticateAsync(SessionSchemes.Cookie).ConfigureAwait(false);
            var subject = result.Succeeded ? Subject.FromClaims(result.Principal!.Claims, result.Principal.FindFirst(SessionSchemes.SessionIdClaim)?.Value) : Subject.Anonymous;
            if (!subject.IsAuthenticated || revocations.IsRevoked(subject))
            {
                return Results.Json(new { authenticated = false }, statusCode: StatusCodes.Status401Unauthorized);
            }

            return Results.Text(JsonSerializer.Serialize(new
            {
                authenticated = true,
                id = subject.Id,
                name = subject.Name,
                email = subject.Email,
                roles = subject.Roles,
                groups = subject.Groups,
                amr = subject.Amr,
                mfa_verified = subject.MfaVerified,
                auth_time = subject.AuthTime?.ToUnixTimeSeconds(),
                mfa_time = subject.MfaTime?.ToUnixTimeSeconds(),
                session_id = subject.SessionId,
            }), "application/json");
        });
    }

    private const string IdpLogoutPath = "/.vigil/idp/logout";

    private static async Task RevokeAsync(HttpContext context, SessionRevocations revocations, string scheme)
    {
        var current = await context.AuthenticateAsync(scheme).ConfigureAwait(false);
        if (current.Succeeded && current.Principal!.FindFirst(SessionSchemes.SessionIdClaim)?.Value is { } sid)
        {
            await revocations.RevokeSessionAsync(sid, current.Properties?.ExpiresUtc, "logout", context.RequestAborted).ConfigureAwait(false);
        }

        await context.SignOutAsync(scheme).ConfigureAwait(false);
    }
}
