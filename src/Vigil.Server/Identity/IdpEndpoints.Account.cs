using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigil.Server.Audit;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Vigil.Server.Identity;

/// <summary>
/// The account page (<c>/.vigil/idp/account</c>): second factors of the signed-in user; security keys can be added
/// and removed there. Changes need a provider session that is recent (<see cref="AccountChangeWindow"/>) and, when
/// the user already has a second factor, was itself signed in with one.
/// </summary>
internal static partial class IdpEndpoints
{
    public const string AccountKeysPath = "/.vigil/idp/account/keys";

    /// <summary>How recent the sign-in must be to add or remove a security key.</summary>
    public static readonly TimeSpan AccountChangeWindow = TimeSpan.FromMinutes(15);

    private sealed record Account(UserEntity User, string SessionId, List<WebAuthnCredentialEntity> Keys, bool HasFactor, bool CanChange);

    private static void MapAccount(IEndpointRouteBuilder app)
    {
        app.MapGet(AccountPath, AccountPage);
        app.MapPost(AccountKeysPath + "/options", AccountKeyOptions).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapPost(AccountKeysPath, AccountKeyPost).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapPost(AccountKeysPath + "/remove", AccountKeyRemove).AddEndpointFilter(RefuseOnStoreFailure);
    }

    private static async Task<Account?> GetAccountAsync(HttpContext context, UserService users, WebAuthnService webauthn, TimeProvider time)
    {
        var login = await context.AuthenticateAsync(SessionSchemes.IdpCookie).ConfigureAwait(false);
        if (!login.Succeeded || login.Principal!.FindFirst(SessionSchemes.SessionIdClaim)?.Value is not { } sessionId)
        {
            return null;
        }

        var user = await users.FindByIdAsync(login.Principal.FindFirst(Claims.Subject)?.Value ?? "", context.RequestAborted).ConfigureAwait(false);
        if (user is null || user.Disabled)
        {
            return null;
        }

        var keys = await webauthn.ListAsync(user.Id, context.RequestAborted).ConfigureAwait(false);
        var hasFactor = user.TotpSecret is not null || keys.Count > 0;
        var authTime = ReadUnix(login.Principal, Claims.AuthenticationTime);
        var mfaTime = ReadUnix(login.Principal, SessionSchemes.MfaTimeClaim);
        var canChange = authTime is { } at && time.GetUtcNow() - at <= AccountChangeWindow && (!hasFactor || mfaTime is not null);
        return new Account(user, sessionId, keys, hasFactor, canChange);
    }

    private static async Task<IResult> AccountPage(HttpContext context, IAntiforgery antiforgery, UserService users, WebAuthnService webauthn, TimeProvider time, string? status)
    {
        var account = await GetAccountAsync(context, users, webauthn, time).ConfigureAwait(false);
        if (account is null)
        {
            return Results.Redirect(LoginPath);
        }

        var tokens = antiforgery.GetAndStoreTokens(context);
        var csrf = Pages.Hidden(tokens.FormFieldName, tokens.RequestToken);
        var message = status switch
        {
            "added" => "<p id=\"status\">Security key added.</p>",
            "removed" => "<p id=\"status\">Security key removed.</p>",
            "failed" => "<p class=\"error\" id=\"status\">The security key could not be registered. Try again.</p>",
            "last" => "<p class=\"error\" id=\"status\">Your account requires two-step verification: add another security key or an authenticator app before removing this one.</p>",
            _ => "",
        };
        var keys = account.Keys.Count == 0
            ? "<p class=\"muted\" id=\"no-keys\">None yet.</p>"
            : "<ul class=\"keys\" id=\"keys\">" + string.Concat(account.Keys.Select(k => $"""
                <li data-key-id="{Pages.E(k.Id)}"><span class="key-name">{Pages.E(k.Name)}</span> <span class="muted">added {Date(k.CreatedAtUnix)}{(k.LastUsedAtUnix is { } used ? " · last used " + Date(used) : " · not used yet")}</span>{(account.CanChange ? $"""<form method="post" action="{AccountKeysPath}/remove">{csrf}{Pages.Hidden("id", k.Id)}<button type="submit" class="remove-key">Remove</button></form>""" : "")}</li>
                """)) + "</ul>";
        string add;
        if (!webauthn.Enabled)
        {
            add = "<p class=\"muted\">Security keys cannot be used here: this server's public URL is an IP address, and WebAuthn needs a host name.</p>";
        }
        else if (!account.CanChange)
        {
            add = $"<p id=\"reauth\">To add or remove security keys, <a href=\"{LoginPath}\">sign in again</a>{(account.HasFactor ? " with your second factor" : "")}.</p>";
        }
        else if (account.Keys.Count >= WebAuthnService.MaxCredentialsPerUser)
        {
            add = "<p class=\"muted\">You have the maximum number of security keys.</p>";
        }
        else
        {
            add = $"""
                <form id="webauthn-form" method="post" action="{AccountKeysPath}" data-webauthn="create" data-options="{AccountKeysPath}/options">
                {csrf}
                <input type="hidden" name="credential" value="">
                <label for="key-name">Name for a new key</label><input id="key-name" name="name" maxlength="{WebAuthnService.MaxNameLength}" placeholder="e.g. Blue YubiKey" required>
                <button type="button" id="add-key" data-webauthn-start>Add a security key</button>
                </form>
                <p class="error" id="webauthn-status" role="status"></p>
                """;
        }

        var body = $"""
            <p>Signed in as <strong id="user-name">{Pages.E(account.User.UserName)}</strong>.</p>
            {message}
            <h2>Authenticator app</h2>
            <p id="totp-status">{(account.User.TotpSecret is null ? "Not set up." : "Set up.")}</p>
            <h2>Security keys and passkeys</h2>
            {keys}
            {add}
            <hr><p><a href="/.vigil/logout" id="sign-out">Sign out</a></p>
            """;
        return Pages.Html("Your account", body, webAuthnScript: webauthn.Enabled && account.CanChange);
    }

    private static async Task<IResult> AccountKeyOptions(HttpContext context, IAntiforgery antiforgery, UserService users, WebAuthnService webauthn, TimeProvider time)
    {
        if (!await IsValidFormAsync(context, antiforgery).ConfigureAwait(false))
        {
            return JsonError(context, "form_invalid");
        }

        var account = await GetAccountAsync(context, users, webauthn, time).ConfigureAwait(false);
        if (account is not { CanChange: true })
        {
            return JsonError(context, "sign_in_again");
        }

        return OptionsResult(context, await webauthn.BeginRegistrationAsync(account.User, SessionBinding(account), context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> AccountKeyPost(HttpContext context, IAntiforgery antiforgery, UserService users, WebAuthnService webauthn, LoginThrottle throttle, DecisionLog log, TimeProvider time)
    {
        if (!await IsValidFormAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Pages.Html("Your account", "<p class=\"error\">The form expired or was not sent by this site.</p>", 400);
        }

        var account = await GetAccountAsync(context, users, webauthn, time).ConfigureAwait(false);
        if (account is not { CanChange: true })
        {
            return Results.Redirect(AccountPath);
        }

        var form = context.Request.Form;
        var ip = ClientIp(context);
        var result = await throttle.IsBannedAsync(account.User.UserName, ip, context.RequestAborted).ConfigureAwait(false)
            ? new WebAuthnResult(WebAuthnOutcome.Rejected, Detail: "banned")
            : await webauthn.CompleteRegistrationAsync(account.User, SessionBinding(account), (string?)form["credential"] ?? "", form["name"], context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await throttle.RecordFailureAsync(account.User.UserName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, account.User.UserName, "failure", "webauthn_register_" + OutcomeCode(result.Outcome));
            return Results.Redirect(AccountPath + "?status=failed");
        }

        Record(log, time, context, account.User.UserName, "webauthn_added", "security key registered: " + result.Credential!.Name);
        var next = AccountPath + "?status=added";
        return !account.HasFactor && string.IsNullOrEmpty(account.User.RecoveryCodes)
            ? RecoveryCodesPage(await users.IssueRecoveryCodesAsync(account.User, context.RequestAborted).ConfigureAwait(false), next)
            : Results.Redirect(next);
    }

    private static async Task<IResult> AccountKeyRemove(HttpContext context, IAntiforgery antiforgery, UserService users, WebAuthnService webauthn, DecisionLog log, TimeProvider time)
    {
        if (!await IsValidFormAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Pages.Html("Your account", "<p class=\"error\">The form expired or was not sent by this site.</p>", 400);
        }

        var account = await GetAccountAsync(context, users, webauthn, time).ConfigureAwait(false);
        if (account is not { CanChange: true })
        {
            return Results.Redirect(AccountPath);
        }

        var id = (string?)context.Request.Form["id"] ?? "";
        if (!account.Keys.Any(k => k.Id == id))
        {
            return Results.Redirect(AccountPath);
        }

        if (account.User.MfaRequired && account.User.TotpSecret is null && account.Keys.Count <= 1)
        {
            return Results.Redirect(AccountPath + "?status=last");
        }

        var removed = await webauthn.RemoveAsync(account.User, id, context.RequestAborted).ConfigureAwait(false);
        if (removed is not null)
        {
            Record(log, time, context, account.User.UserName, "webauthn_removed", "security key removed: " + removed.Name);
        }

        return Results.Redirect(AccountPath + "?status=removed");
    }

    private static string SessionBinding(Account account) => "session:" + account.SessionId;

    private static string Date(long unix) =>
        DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
