using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Server.Audit;
using Vigil.Server.Identity.WebAuthn;

namespace Vigil.Server.Identity;

/// <summary>
/// WebAuthn as second factor: the provider's script, and the options/verify endpoints used at login (after the
/// password) and at enrolment (for users who must set up MFA and have no factor yet). The browser fetches options
/// (a POST with the page's antiforgery token), runs <c>navigator.credentials.get/create</c>, and posts the result
/// in the form, so the server answers with an ordinary redirect.
/// </summary>
internal static partial class IdpEndpoints
{
    public const string WebAuthnMfaPath = "/.vigil/idp/mfa/webauthn";
    public const string WebAuthnEnrollPath = "/.vigil/idp/mfa/enroll/webauthn";

    private static readonly Lazy<byte[]> Script = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("vigil.webauthn.js")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>
    /// <c>amr</c> after password + WebAuthn (RFC 8176): <c>hwk</c> (proof of possession of a hardware-protected key),
    /// <c>user</c> (the authenticator's test of user presence, which verification always requires), <c>pin</c> only
    /// when the authenticator reports user verification (a PIN or built-in biometric; WebAuthn does not say which),
    /// and <c>mfa</c>.
    /// </summary>
    internal static string[] WebAuthnAmr(bool userVerified) =>
        userVerified ? ["pwd", "hwk", "user", "pin", "mfa"] : ["pwd", "hwk", "user", "mfa"];

    private static void MapWebAuthn(IEndpointRouteBuilder app)
    {
        app.MapGet(Pages.WebAuthnScriptPath, (HttpContext context) =>
        {
            Pages.SecurityHeaders(context.Response);
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Bytes(Script.Value, "text/javascript; charset=utf-8");
        });
        app.MapPost(WebAuthnMfaPath + "/options", MfaWebAuthnOptions).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapPost(WebAuthnMfaPath, MfaWebAuthnPost).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapPost(WebAuthnEnrollPath + "/options", EnrollWebAuthnOptions).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapPost(WebAuthnEnrollPath, EnrollWebAuthnPost).AddEndpointFilter(RefuseOnStoreFailure);
    }

    private static async Task<IResult> MfaWebAuthnOptions(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: true).ConfigureAwait(false) is not { } posted)
        {
            return JsonError(context, "form_invalid");
        }

        var (_, _, pending, user) = posted;
        if (user is null || user.Disabled)
        {
            return JsonError(context, "login_expired");
        }

        return OptionsResult(context, await webauthn.BeginAssertionAsync(user, AttemptBinding(pending!), context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> MfaWebAuthnPost(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, LoginThrottle throttle, DecisionLog log, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: true).ConfigureAwait(false) is not { } posted)
        {
            return FormExpired("Two-step verification");
        }

        var (form, returnUrl, pending, user) = posted;
        if (user is null || user.Disabled)
        {
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var ip = ClientIp(context);
        if (await throttle.IsBannedAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false))
        {
            await throttle.RecordFailureAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, user.UserName, "failure", "banned");
            return Redirect(MfaPath, returnUrl, error: true);
        }

        var result = await webauthn.CompleteAssertionAsync(user, AttemptBinding(pending!), (string?)form["credential"] ?? "", context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // Counted like a wrong TOTP code: repeated failures ban the account and the address.
            await throttle.RecordFailureAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, user.UserName, "failure", "webauthn_" + OutcomeCode(result.Outcome));
            return Redirect(MfaPath, returnUrl, error: true);
        }

        await throttle.RecordSuccessAsync(user.UserName, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(PendingCookie, new CookieOptions { Path = "/.vigil/idp" });
        await SignInAsync(context, user, WebAuthnAmr(result.UserVerified), time, mfa: true).ConfigureAwait(false);
        Record(log, time, context, user.UserName, "success", "password+webauthn" + (result.UserVerified ? " (user verified)" : ""));
        return Results.Redirect(returnUrl ?? AccountPath);
    }

    private static async Task<IResult> EnrollWebAuthnOptions(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: true).ConfigureAwait(false) is not { } posted)
        {
            return JsonError(context, "form_invalid");
        }

        var (_, _, pending, user) = posted;
        if (user is null || user.Disabled || user.TotpSecret is not null || await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false))
        {
            return JsonError(context, "login_expired");
        }

        return OptionsResult(context, await webauthn.BeginRegistrationAsync(user, AttemptBinding(pending!), context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> EnrollWebAuthnPost(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, LoginThrottle throttle, DecisionLog log, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: true).ConfigureAwait(false) is not { } posted)
        {
            return FormExpired("Set up two-step verification");
        }

        var (form, returnUrl, pending, user) = posted;

        // Enrolment follows the password alone, so it is refused once the user has any second factor.
        if (user is null || user.Disabled || user.TotpSecret is not null || await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false))
        {
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var ip = ClientIp(context);
        var result = await throttle.IsBannedAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false)
            ? new WebAuthnResult(WebAuthnOutcome.Rejected, Detail: "banned")
            : await webauthn.CompleteRegistrationAsync(user, AttemptBinding(pending!), (string?)form["credential"] ?? "", form["name"], context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await throttle.RecordFailureAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, user.UserName, "failure", "webauthn_enroll_" + OutcomeCode(result.Outcome));
            return Redirect(EnrollPath, returnUrl, error: true);
        }

        context.Response.Cookies.Delete(PendingCookie, new CookieOptions { Path = "/.vigil/idp" });
        await SignInAsync(context, user, WebAuthnAmr(userVerified: false), time, mfa: true).ConfigureAwait(false);
        Record(log, time, context, user.UserName, "success", "password+webauthn (enrolled)");
        var next = returnUrl ?? AccountPath;
        return string.IsNullOrEmpty(user.RecoveryCodes)
            ? RecoveryCodesPage(await users.IssueRecoveryCodesAsync(user, context.RequestAborted).ConfigureAwait(false), next)
            : Results.Redirect(next);
    }

    private static string AttemptBinding(Pending pending) => "attempt:" + pending.Attempt;

    private static IResult OptionsResult(HttpContext context, string? optionsJson)
    {
        if (optionsJson is null)
        {
            return JsonError(context, "unavailable");
        }

        Pages.SecurityHeaders(context.Response);
        return Results.Text(optionsJson, "application/json; charset=utf-8");
    }

    private static IResult JsonError(HttpContext context, string code)
    {
        Pages.SecurityHeaders(context.Response);
        return Results.Json(new { error = code }, statusCode: StatusCodes.Status400BadRequest);
    }

    private static string OutcomeCode(WebAuthnOutcome outcome) => outcome switch
    {
        WebAuthnOutcome.Succeeded => "succeeded",
        WebAuthnOutcome.Unavailable => "unavailable",
        WebAuthnOutcome.NoChallenge => "no_challenge",
        WebAuthnOutcome.Malformed => "malformed",
        WebAuthnOutcome.UnknownCredential => "unknown_credential",
        WebAuthnOutcome.Rejected => "rejected",
        WebAuthnOutcome.ClonedAuthenticator => "cloned_authenticator",
        WebAuthnOutcome.AlreadyRegistered => "already_registered",
        _ => "failed",
    };
}
