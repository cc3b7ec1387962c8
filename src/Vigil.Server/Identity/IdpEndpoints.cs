using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using QRCoder;
using Vigil.Server.Audit;
using Vigil.Server.Gateway;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Server.Telemetry;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Vigil.Server.Identity;

/// <summary>
/// The built-in provider's interactive endpoints: login (password), MFA (TOTP, WebAuthn or recovery code), MFA
/// enrolment (TOTP or WebAuthn), the account page, and the OIDC authorize/token passthrough handlers that turn a
/// provider login into tokens.
/// </summary>
internal static partial class IdpEndpoints
{
    public const string LoginPath = "/.vigil/idp/login";
    public const string MfaPath = "/.vigil/idp/mfa";
    public const string EnrollPath = "/.vigil/idp/mfa/enroll";
    public const string AccountPath = "/.vigil/idp/account";
    private const string PendingCookie = "__vigil_idp_pending";
    private const string NeutralFailure = "Sign-in failed. Check your user name, password or code, or try again later.";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(LoginPath, LoginPage);
        app.MapPost(LoginPath, LoginPost).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapGet(MfaPath, MfaPage);
        app.MapPost(MfaPath, MfaPost).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapGet(EnrollPath, EnrollPage);
        app.MapPost(EnrollPath, EnrollPost).AddEndpointFilter(RefuseOnStoreFailure);
        app.MapMethods(ReturnUrls.AuthorizePath, ["GET", "POST"], Authorize);
        app.MapPost("/.vigil/idp/token", Token);
        MapWebAuthn(app);
        MapAccount(app);
    }

    private static IResult LoginPage(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var body = $"""
            {(error is null ? "" : $"<p class=\"error\" id=\"error\">{Pages.E(NeutralFailure)}</p>")}
            <form method="post" action="{LoginPath}">
            {Pages.Hidden(tokens.FormFieldName, tokens.RequestToken)}
            {Pages.Hidden("returnUrl", ReturnUrls.IsAuthorizeUrl(returnUrl) ? returnUrl : null)}
            <label for="username">User name</label><input id="username" name="username" autocomplete="username" required autofocus>
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" id="sign-in">Sign in</button>
            </form>
            """;
        return Pages.Html("Sign in to Vigil", body);
    }

    private static async Task<IResult> LoginPost(HttpContext context, IAntiforgery antiforgery, UserService users, WebAuthnService webauthn, LoginThrottle throttle, DecisionLog log, TimeProvider time, IDataProtectionProvider protection)
    {
        if (!await IsValidFormAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Pages.Html("Sign in to Vigil", "<p class=\"error\">The form expired or was not sent by this site. <a href=\"/.vigil/idp/account\">Start again</a>.</p>", 400);
        }

        var form = context.Request.Form;
        var userName = (string?)form["username"] ?? "";
        var password = (string?)form["password"] ?? "";
        var returnUrl = ReturnUrls.IsAuthorizeUrl(form["returnUrl"]) ? (string?)form["returnUrl"] : null;
        var ip = ClientIp(context);
        if (await throttle.IsBannedAsync(userName, ip, context.RequestAborted).ConfigureAwait(false))
        {
            Record(log, time, context, userName, "failure", "banned");
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var user = userName.Length is > 0 and <= 256 ? await users.FindAsync(userName, context.RequestAborted).ConfigureAwait(false) : null;
        var check = UserService.CheckPassword(user, password);
        if (check != PasswordCheck.Succeeded)
        {
            await throttle.RecordFailureAsync(userName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, userName, "failure", check == PasswordCheck.Disabled ? "account_disabled" : "bad_credentials");
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var mfaRequested = returnUrl is not null && QueryHelpers.ParseQuery(new Uri("http://x" + returnUrl).Query).TryGetValue("acr_values", out var acr) && acr.ToString().Contains("mfa", StringComparison.Ordinal);
        var hasFactor = user!.TotpSecret is not null || await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false);
        if (hasFactor || user.MfaRequired || mfaRequested)
        {
            // The attempt id binds WebAuthn challenges to this login attempt (and so to this browser's pending cookie).
            SetPending(context, protection, time, new Pending(user.Id, time.GetUtcNow().ToUnixTimeSeconds(), null, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
            Record(log, time, context, user.UserName, "password_ok", "mfa_required");
            return Redirect(hasFactor ? MfaPath : EnrollPath, returnUrl, error: false);
        }

        await throttle.RecordSuccessAsync(userName, context.RequestAborted).ConfigureAwait(false);
        await SignInAsync(context, user, ["pwd"], time, mfa: false).ConfigureAwait(false);
        Record(log, time, context, user.UserName, "success", "password");
        return Results.Redirect(returnUrl ?? AccountPath);
    }

    private static async Task<IResult> MfaPage(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, TimeProvider time, string? returnUrl, string? error)
    {
        var pending = GetPending(context, protection, time);
        var user = pending is null ? null : await users.FindByIdAsync(pending.UserId, context.RequestAborted).ConfigureAwait(false);
        if (pending is null || user is null)
        {
            return Results.Redirect(LoginPath + QueryString(returnUrl, false));
        }

        var hasKeys = await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false);
        if (user.TotpSecret is null && !hasKeys)
        {
            return Results.Redirect(EnrollPath + QueryString(returnUrl, false));
        }

        var tokens = antiforgery.GetAndStoreTokens(context);
        var safeReturn = ReturnUrls.IsAuthorizeUrl(returnUrl) ? returnUrl : null;
        var useKeys = hasKeys && webauthn.Enabled;
        var keyForm = !useKeys ? "" : $"""
            <form id="webauthn-form" method="post" action="{WebAuthnMfaPath}" data-webauthn="get" data-options="{WebAuthnMfaPath}/options">
            {Pages.Hidden(tokens.FormFieldName, tokens.RequestToken)}
            {Pages.Hidden("returnUrl", safeReturn)}
            <input type="hidden" name="credential" value="">
            <p>Use your security key or passkey.</p>
            <button type="button" id="use-key" data-webauthn-start>Use security key</button>
            </form>
            <p class="error" id="webauthn-status" role="status"></p>
            """;
        var codeLabel = user.TotpSecret is null ? "Or a recovery code" : useKeys ? "Or a code from your authenticator app (or a recovery code)" : "Code from your authenticator app (or a recovery code)";
        var body = $"""
            {(error is null ? "" : $"<p class=\"error\" id=\"error\">{Pages.E(NeutralFailure)}</p>")}
            {keyForm}
            {(hasKeys && !webauthn.Enabled ? "<p class=\"muted\">Your security keys cannot be used at this address.</p>" : "")}
            <form method="post" action="{MfaPath}">
            {Pages.Hidden(tokens.FormFieldName, tokens.RequestToken)}
            {Pages.Hidden("returnUrl", safeReturn)}
            <label for="code">{codeLabel}</label>
            <input id="code" name="code" autocomplete="one-time-code" required{(useKeys ? "" : " autofocus")}>
            <button type="submit" id="verify">Verify</button>
            </form>
            """;
        return Pages.Html("Two-step verification", body, webAuthnScript: useKeys);
    }

    private static async Task<IResult> MfaPost(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, LoginThrottle throttle, DecisionLog log, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: false).ConfigureAwait(false) is not { } posted)
        {
            return FormExpired("Two-step verification");
        }

        var (form, returnUrl, pending, user) = posted;
        if (user is null || user.Disabled || (user.TotpSecret is null && string.IsNullOrEmpty(user.RecoveryCodes)))
        {
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var ip = ClientIp(context);
        if (await throttle.IsBannedAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false) || !await users.VerifySecondFactorAsync(user, (string?)form["code"] ?? "", context.RequestAborted).ConfigureAwait(false))
        {
            await throttle.RecordFailureAsync(user.UserName, ip, context.RequestAborted).ConfigureAwait(false);
            Record(log, time, context, user.UserName, "failure", "bad_second_factor");
            return Redirect(MfaPath, returnUrl, error: true);
        }

        await throttle.RecordSuccessAsync(user.UserName, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(PendingCookie, new CookieOptions { Path = "/.vigil/idp" });
        await SignInAsync(context, user, ["pwd", "otp", "mfa"], time, mfa: true).ConfigureAwait(false);
        Record(log, time, context, user.UserName, "success", "password+totp");
        return Results.Redirect(returnUrl ?? AccountPath);
    }

    private static async Task<IResult> EnrollPage(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, TimeProvider time, string? returnUrl, string? error)
    {
        var pending = GetPending(context, protection, time);
        var user = pending is null ? null : await users.FindByIdAsync(pending.UserId, context.RequestAborted).ConfigureAwait(false);
        if (pending is null || user is null)
        {
            return Results.Redirect(LoginPath + QueryString(returnUrl, false));
        }

        // Enrolment needs only the password, so it is only for users without any second factor.
        if (user.TotpSecret is not null || await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false))
        {
            return Results.Redirect(MfaPath + QueryString(returnUrl, false));
        }

        var secret = pending.NewSecret ?? UserService.NewTotpSecret();
        SetPending(context, protection, time, pending with { NewSecret = secret });
        var uri = UserService.OtpAuthUri(secret, user.UserName, "Vigil");
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(5);
        var tokens = antiforgery.GetAndStoreTokens(context);
        var safeReturn = ReturnUrls.IsAuthorizeUrl(returnUrl) ? returnUrl : null;
        var keyForm = !webauthn.Enabled ? "" : $"""
            <h2>Security key or passkey</h2>
            <form id="webauthn-form" method="post" action="{WebAuthnEnrollPath}" data-webauthn="create" data-options="{WebAuthnEnrollPath}/options">
            {Pages.Hidden(tokens.FormFieldName, tokens.RequestToken)}
            {Pages.Hidden("returnUrl", safeReturn)}
            <input type="hidden" name="credential" value="">
            <label for="key-name">Name for this key</label><input id="key-name" name="name" maxlength="{WebAuthnService.MaxNameLength}" value="Security key" required>
            <button type="button" id="add-key" data-webauthn-start>Use a security key</button>
            </form>
            <p class="error" id="webauthn-status" role="status"></p>
            <h2>Authenticator app</h2>
            """;
        var body = $"""
            {(error is null ? "" : $"<p class=\"error\" id=\"error\">{Pages.E(NeutralFailure)}</p>")}
            <p>Your account needs two-step verification{(webauthn.Enabled ? ": register a security key or passkey, or use an authenticator app" : "")}.</p>
            {keyForm}
            <p>Scan this code with an authenticator app, then enter the 6-digit code it shows.</p>
            <img alt="QR code" src="data:image/png;base64,{Convert.ToBase64String(png)}">
            <p class="muted">Or enter the key: <code id="secret">{Pages.E(secret)}</code></p>
            <form method="post" action="{EnrollPath}">
            {Pages.Hidden(tokens.FormFieldName, tokens.RequestToken)}
            {Pages.Hidden("returnUrl", ReturnUrls.IsAuthorizeUrl(returnUrl) ? returnUrl : null)}
            <label for="code">Code</label><input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required>
            <button type="submit" id="verify">Confirm</button>
            </form>
            """;
        return Pages.Html("Set up two-step verification", body, webAuthnScript: webauthn.Enabled);
    }

    private static async Task<IResult> EnrollPost(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection, UserService users, WebAuthnService webauthn, LoginThrottle throttle, DecisionLog log, TimeProvider time)
    {
        if (await ReadSecondStepFormAsync(context, antiforgery, protection, users, time, requireAttempt: false).ConfigureAwait(false) is not { } posted)
        {
            return FormExpired("Set up two-step verification");
        }

        var (form, returnUrl, pending, user) = posted;
        if (pending?.NewSecret is null || user is null || user.Disabled || user.TotpSecret is not null || await webauthn.HasAnyAsync(user.Id, context.RequestAborted).ConfigureAwait(false))
        {
            return Redirect(LoginPath, returnUrl, error: true);
        }

        var step = users.VerifyTotp(pending.NewSecret, (string?)form["code"] ?? "", 0);
        if (step is null)
        {
            await throttle.RecordFailureAsync(user.UserName, ClientIp(context), context.RequestAborted).ConfigureAwait(false);
            return Redirect(EnrollPath, returnUrl, error: true);
        }

        var codes = await users.EnrollTotpAsync(user, pending.NewSecret, step.Value, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(PendingCookie, new CookieOptions { Path = "/.vigil/idp" });
        await SignInAsync(context, user, ["pwd", "otp", "mfa"], time, mfa: true).ConfigureAwait(false);
        Record(log, time, context, user.UserName, "success", "password+totp (enrolled)");
        return RecoveryCodesPage(codes, returnUrl ?? AccountPath);
    }

    private static IResult RecoveryCodesPage(IReadOnlyList<string> codes, string next)
    {
        var list = string.Concat(codes.Select(c => $"<li><code>{Pages.E(c)}</code></li>"));
        return Pages.Html("Save your recovery codes", $"<p>Each code works once if you lose your authenticator.</p><ul id=\"recovery-codes\">{list}</ul><p><a id=\"continue\" href=\"{Pages.E(next)}\">Continue</a></p>");
    }

    private static async Task<IResult> Authorize(HttpContext context, UserService users, TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest();
        if (request is null)
        {
            return Results.BadRequest();
        }

        var login = await context.AuthenticateAsync(SessionSchemes.IdpCookie).ConfigureAwait(false);
        var now = time.GetUtcNow();
        UserEntity? user = null;
        var needLogin = !login.Succeeded || request.HasPromptValue(PromptValues.Login);
        if (!needLogin)
        {
            user = await users.FindByIdAsync(login.Principal!.FindFirst(Claims.Subject)?.Value ?? "", context.RequestAborted).ConfigureAwait(false);
            var authTime = ReadUnix(login.Principal, Claims.AuthenticationTime);
            var mfaTime = ReadUnix(login.Principal, SessionSchemes.MfaTimeClaim);
            needLogin = user is null || user.Disabled || authTime is null ||
                (request.MaxAge is { } maxAge && now - authTime.Value > TimeSpan.FromSeconds(maxAge)) ||
                (RequestsMfa(request) && (mfaTime is null || (request.MaxAge is { } mfaMax && now - mfaTime.Value > TimeSpan.FromSeconds(mfaMax))));
        }

        if (needLogin)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Results.Forbid(
                    new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.LoginRequired }),
                    [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            }

            // Come back to this authorize request, without prompt=login (which would loop).
            var parameters = context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList();
            var returnUrl = QueryHelpers.AddQueryString(ReturnUrls.AuthorizePath, parameters.Where(p => p.Key != Parameters.Prompt).SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))));
            await context.SignOutAsync(SessionSchemes.IdpCookie).ConfigureAwait(false);
            return Results.Redirect(LoginPath + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var identity = BuildIdentity(user!, login.Principal!.Claims, request.GetScopes());
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Token(HttpContext context, UserService users)
    {
        var request = context.GetOpenIddictServerRequest();
        if (request is null)
        {
            return Results.BadRequest();
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false);
            var user = result.Principal?.FindFirst(Claims.Subject)?.Value is { } id ? await users.FindByIdAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
            if (user is null || user.Disabled)
            {
                return Results.Forbid(
                    new AuthenticationProperties(new Dictionary<string, string?>
                    {
                        [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidGrant,
                        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The user is no longer allowed to sign in.",
                    }),
                    [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
            }

            var identity = BuildIdentity(user, result.Principal!.Claims, result.Principal.GetScopes());
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsClientCredentialsGrantType())
        {
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaim(Claims.Name, request.ClientId);
            identity.SetClaim("vigil_subject_type", Sessions.SubjectTypes.Service);
            identity.SetScopes(request.GetScopes());

            // APIs behind this gateway are requested as scopes named after their audience.
            var apis = ApiAudiences(context.RequestServices.GetRequiredService<Configuration.VigilConfig>());
            identity.SetResources(request.GetScopes().Where(apis.Contains));
            identity.SetDestinations(_ => [Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Results.Forbid(
            new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.UnsupportedGrantType }),
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    /// <summary>Audiences of the bearer-token routes whose issuer is this provider: requestable as scopes.</summary>
    internal static HashSet<string> ApiAudiences(Configuration.VigilConfig config) =>
        config.Routes.Where(r => r.Jwt is not null && r.Jwt.Issuer.ToString().TrimEnd('/') == config.Server.PublicUrl.ToString().TrimEnd('/'))
            .SelectMany(r => r.Jwt!.Audiences).ToHashSet(StringComparer.Ordinal);

    private static ClaimsIdentity BuildIdentity(UserEntity user, IEnumerable<Claim> loginClaims, IEnumerable<string> scopes)
    {
        var claims = loginClaims.ToList();
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id);
        identity.SetClaim(Claims.Name, user.DisplayName ?? user.UserName);
        identity.SetClaim(Claims.PreferredUsername, user.UserName);
        if (user.Email is not null)
        {
            identity.SetClaim(Claims.Email, user.Email);
        }

        identity.SetClaims(Claims.Role, [.. user.Roles.Select(r => r.Role).Order(StringComparer.Ordinal)]);
        identity.SetClaims("groups", [.. user.Groups.Select(g => g.Group).Order(StringComparer.Ordinal)]);
        identity.SetClaims(Claims.AuthenticationMethodReference, [.. claims.Where(c => c.Type == Claims.AuthenticationMethodReference).Select(c => c.Value).Distinct(StringComparer.Ordinal)]);
        if (claims.FirstOrDefault(c => c.Type == Claims.AuthenticationTime)?.Value is { } authTime)
        {
            identity.AddClaim(new Claim(Claims.AuthenticationTime, authTime, ClaimValueTypes.Integer64));
        }

        if (claims.FirstOrDefault(c => c.Type == SessionSchemes.MfaTimeClaim)?.Value is { } mfaTime)
        {
            identity.AddClaim(new Claim(SessionSchemes.MfaTimeClaim, mfaTime, ClaimValueTypes.Integer64));
        }

        identity.SetClaim("vigil_subject_type", Sessions.SubjectTypes.User);
        identity.SetScopes(scopes);
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return identity;
    }

    private static async Task SignInAsync(HttpContext context, UserEntity user, string[] amr, TimeProvider time, bool mfa)
    {
        // A brand-new provider session at every login (session fixation: nothing from before survives).
        var now = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var identity = new ClaimsIdentity(SessionSchemes.IdpCookie, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Id));
        identity.AddClaim(new Claim(Claims.Name, user.UserName));
        identity.AddClaim(new Claim(Claims.AuthenticationTime, now, ClaimValueTypes.Integer64));
        identity.AddClaim(new Claim(SessionSchemes.SessionIdClaim, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
        if (mfa)
        {
            identity.AddClaim(new Claim(SessionSchemes.MfaTimeClaim, now, ClaimValueTypes.Integer64));
        }

        foreach (var method in amr)
        {
            identity.AddClaim(new Claim(Claims.AuthenticationMethodReference, method));
        }

        await context.SignOutAsync(SessionSchemes.IdpCookie).ConfigureAwait(false);
        await context.SignInAsync(SessionSchemes.IdpCookie, new ClaimsPrincipal(identity)).ConfigureAwait(false);
    }

    private static bool RequestsMfa(OpenIddictRequest request) =>
        request.AcrValues is { } acr && acr.Split(' ').Contains("mfa", StringComparer.Ordinal);

    private static DateTimeOffset? ReadUnix(ClaimsPrincipal principal, string type) =>
        long.TryParse(principal.FindFirst(type)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static async Task<bool> IsValidFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!context.Request.HasFormContentType)
        {
            return false;
        }

        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    /// <summary>A login between password and second factor; <see cref="Attempt"/> binds WebAuthn challenges to it.</summary>
    private sealed record Pending(string UserId, long Issued, string? NewSecret, string? Attempt = null);

    private static void SetPending(HttpContext context, IDataProtectionProvider protection, TimeProvider time, Pending pending)
    {
        var protector = protection.CreateProtector("vigil.idp.pending").ToTimeLimitedDataProtector();
        var value = protector.Protect(JsonSerializer.Serialize(pending), time.GetUtcNow().AddMinutes(5));
        context.Response.Cookies.Append(PendingCookie, value, new CookieOptions
        {
            Path = "/.vigil/idp", HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps, IsEssential = true,
        });
    }

    /// <summary>
    /// A posted second-step form (MFA or enrolment): antiforgery token checked, the return URL kept only when it is the
    /// provider's own authorize URL, and the login waiting for this step with its user (null when there is none, or when
    /// <paramref name="requireAttempt"/> and the login carries no attempt binding). Null when the form itself is invalid.
    /// </summary>
    private static async Task<SecondStepForm?> ReadSecondStepFormAsync(HttpContext context, IAntiforgery antiforgery, IDataProtectionProvider protection,
        UserService users, TimeProvider time, bool requireAttempt)
    {
        if (!await IsValidFormAsync(context, antiforgery).ConfigureAwait(false))
        {
            return null;
        }

        var form = context.Request.Form;
        var returnUrl = ReturnUrls.IsAuthorizeUrl(form["returnUrl"]) ? (string?)form["returnUrl"] : null;
        var pending = GetPending(context, protection, time);
        var user = pending is null || (requireAttempt && pending.Attempt is null) ? null : await users.FindByIdAsync(pending.UserId, context.RequestAborted).ConfigureAwait(false);
        return new SecondStepForm(form, returnUrl, pending, user);
    }

    private sealed record SecondStepForm(IFormCollection Form, string? ReturnUrl, Pending? Pending, UserEntity? User);

    private static IResult FormExpired(string title) => Pages.Html(title, "<p class=\"error\">The form expired or was not sent by this site.</p>", 400);

    private static Pending? GetPending(HttpContext context, IDataProtectionProvider protection, TimeProvider time)
    {
        if (!context.Request.Cookies.TryGetValue(PendingCookie, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var protector = protection.CreateProtector("vigil.idp.pending").ToTimeLimitedDataProtector();
            var json = protector.Unprotect(value, out var expiration);
            if (expiration < time.GetUtcNow())
            {
                return null;
            }

            return JsonSerializer.Deserialize<Pending>(json);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private static IResult Redirect(string path, string? returnUrl, bool error) => Results.Redirect(path + QueryString(returnUrl, error));

    private static string QueryString(string? returnUrl, bool error)
    {
        var parts = new List<string>();
        if (ReturnUrls.IsAuthorizeUrl(returnUrl))
        {
            parts.Add("returnUrl=" + Uri.EscapeDataString(returnUrl!));
        }

        if (error)
        {
            parts.Add("error=1");
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string ClientIp(HttpContext context) =>
        ClientAddressResolver.Resolve(context.Connection.RemoteIpAddress, context.RequestServices.GetRequiredService<GatewayState>().Current.Config.Server.TrustedProxies, context.Request.Headers["X-Forwarded-For"]).ToString();

    private static void Record(DecisionLog log, TimeProvider time, HttpContext context, string subject, string decision, string reason)
    {
        log.Record(new AuditRecord
        {
            Kind = "login", Time = time.GetUtcNow(), RequestId = context.Items[GatewayMiddleware.RequestIdKey] as string, Subject = subject.Length > 256 ? subject[..256] : subject,
            ClientIp = ClientIp(context), Method = context.Request.Method, Path = context.Request.Path, Decision = decision, Reason = reason,
        });

        // Every sign-in outcome passes here; account changes (security keys added or removed) are not sign-ins.
        var result = decision switch
        {
            "success" => VigilMetrics.LoginResults.Success,
            "failure" when reason == "banned" => VigilMetrics.LoginResults.Banned,
            "failure" => VigilMetrics.LoginResults.Failure,
            "password_ok" => VigilMetrics.LoginResults.MfaRequired,
            _ => null,
        };
        if (result is not null)
        {
            context.RequestServices.GetService<VigilMetrics>()?.Login(result);
        }
    }
}
