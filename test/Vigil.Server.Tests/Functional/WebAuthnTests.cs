using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Identity;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>One Vigil whose public URL is http://localhost:PORT (WebAuthn needs a host name as RP id).</summary>
public sealed class LocalhostHarnessFixture : IAsyncLifetime
{
    public VigilHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await VigilHarness.StartAsync(new HarnessOptions { PublicHost = "localhost" });

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}

/// <summary>
/// WebAuthn as second factor at the protocol level: a software authenticator answers Vigil's real options, and forged
/// answers (wrong origin, replayed challenge, unknown credential, counter regression) are refused and counted.
/// </summary>
public sealed partial class WebAuthnTests(LocalhostHarnessFixture fixture) : IClassFixture<LocalhostHarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    private string Origin => $"http://localhost:{H.Port}";

    [Fact]
    public async Task Enrol_MfaRequiredUserRegistersKey_ThenSignsInWithIt_AndResetMfaRemovesIt()
    {
        await H.AddUserAsync("wa-dora", "dora-password-1", ["engineer"], [], mfaRequired: true);
        using var key = new SoftAuthenticator();
        using (var browser = H.Browser())
        {
            var codes = await EnrolAtLoginAsync(browser, "wa-dora", "dora-password-1", key);
            Assert.Contains("id=\"recovery-codes\"", codes.Html, StringComparison.Ordinal);
            var dashboard = await browser.GetAsync(ContinueLink(codes));
            Assert.Equal("/dashboard", dashboard.Url.AbsolutePath);
            Assert.Contains("upstream wa-dora@example.test", dashboard.Html, StringComparison.Ordinal);
            var amr = await AmrAsync(browser);
            Assert.Equal(["pwd", "hwk", "user", "mfa"], amr);
        }

        using (var browser = H.Browser())
        {
            var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-dora", "dora-password-1");
            Assert.Contains("data-webauthn=\"get\"", mfa.Html, StringComparison.Ordinal);
            var page = await PostAssertionAsync(browser, mfa, key.Assert(options, Origin, userVerified: true));
            Assert.Equal("/dashboard", page.Url.AbsolutePath);
            Assert.Equal(["pwd", "hwk", "user", "pin", "mfa"], await AmrAsync(browser));
        }

        var log = await H.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("subject").GetString() == "wa-dora" &&
            e.GetProperty("reason").GetString() == "password+webauthn (user verified)");

        await using (var scope = H.Server.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserService>();
            var dora = (await users.FindAsync("wa-dora"))!;
            Assert.Equal(["webauthn", "recovery"], (await users.MfaKindsAsync())[dora.Id]);
            Assert.True(await users.ResetMfaAsync("wa-dora"));
            Assert.Empty((await users.MfaKindsAsync())[dora.Id]);
        }

        using (var browser = H.Browser())
        {
            var page = await browser.LoginAsync("/dashboard", "wa-dora", "dora-password-1");
            Assert.Equal("/.vigil/idp/mfa/enroll", page.Url.AbsolutePath);
        }
    }

    [Fact]
    public async Task Assertion_WrongOrigin_IsRefused()
    {
        using var key = await UserWithKeyAsync("wa-origin");
        using var browser = H.Browser();
        var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-origin", "wa-origin-password");
        var page = await PostAssertionAsync(browser, mfa, key.Assert(options, "http://evil.localhost:" + H.Port));
        AssertRefused(page);
        await AssertLoggedAsync("wa-origin", "webauthn_rejected");
    }

    [Fact]
    public async Task Assertion_WrongRpId_IsRefused()
    {
        using var key = await UserWithKeyAsync("wa-rpid");
        using var browser = H.Browser();
        var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-rpid", "wa-rpid-password");
        AssertRefused(await PostAssertionAsync(browser, mfa, key.Assert(options, Origin, rpId: "evil.test")));
    }

    [Fact]
    public async Task Assertion_ReplayedChallenge_IsRefused()
    {
        using var key = await UserWithKeyAsync("wa-replay");
        string used;
        using (var browser = H.Browser())
        {
            var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-replay", "wa-replay-password");
            used = key.Assert(options, Origin);
            Assert.Equal("/dashboard", (await PostAssertionAsync(browser, mfa, used)).Url.AbsolutePath);
        }

        using (var browser = H.Browser())
        {
            // The same signed answer in a new login attempt: its challenge was used up (and is not this attempt's).
            var mfa = await browser.LoginAsync("/dashboard", "wa-replay", "wa-replay-password");
            AssertRefused(await PostAssertionAsync(browser, mfa, used));
            await AssertLoggedAsync("wa-replay", "webauthn_no_challenge");

            // With a fresh challenge issued, the old answer still does not match it.
            var options = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath + "/options", []);
            Assert.Equal(HttpStatusCode.OK, options.Status);
            AssertRefused(await PostAssertionAsync(browser, mfa, used));
            await AssertLoggedAsync("wa-replay", "webauthn_rejected");

            // A challenge is single-use even when the answer to it was refused.
            AssertRefused(await PostAssertionAsync(browser, mfa, key.Assert(options.Html, Origin)));
        }
    }

    [Fact]
    public async Task Assertion_UnknownCredential_IsRefused()
    {
        using var key = await UserWithKeyAsync("wa-unknown");
        using var stranger = new SoftAuthenticator();
        using var browser = H.Browser();
        var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-unknown", "wa-unknown-password");
        AssertRefused(await PostAssertionAsync(browser, mfa, stranger.Assert(options, Origin)));
        await AssertLoggedAsync("wa-unknown", "webauthn_unknown_credential");
    }

    [Fact]
    public async Task Assertion_CredentialOfAnotherUser_IsRefused()
    {
        using var mine = await UserWithKeyAsync("wa-owner");
        using var theirs = await UserWithKeyAsync("wa-other");
        using var browser = H.Browser();
        var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-owner", "wa-owner-password");
        AssertRefused(await PostAssertionAsync(browser, mfa, theirs.Assert(options, Origin)));
        await AssertLoggedAsync("wa-owner", "webauthn_unknown_credential");
    }

    [Fact]
    public async Task Assertion_SignCountRegression_IsRefusedAsCloned()
    {
        using var key = await UserWithKeyAsync("wa-clone");
        using (var browser = H.Browser())
        {
            var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-clone", "wa-clone-password");
            Assert.Equal("/dashboard", (await PostAssertionAsync(browser, mfa, key.Assert(options, Origin))).Url.AbsolutePath);
        }

        key.Counter = 0; // a copy of the key that has not seen the last use
        using (var browser = H.Browser())
        {
            var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-clone", "wa-clone-password");
            AssertRefused(await PostAssertionAsync(browser, mfa, key.Assert(options, Origin)));
        }

        await AssertLoggedAsync("wa-clone", "webauthn_cloned_authenticator");
    }

    [Fact]
    public async Task Assertion_GarbageResponse_IsRefusedWithoutError()
    {
        using var key = await UserWithKeyAsync("wa-garbage");
        using var browser = H.Browser();
        foreach (var garbage in new[] { "", "{", "[]", "{\"id\":1}", "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{\"authenticatorData\":\"AA\",\"signature\":\"AA\",\"clientDataJSON\":\"AA\"}}", new string('x', 70_000) })
        {
            var (mfa, _) = await PasswordThenOptionsAsync(browser, "wa-garbage", "wa-garbage-password");
            AssertRefused(await PostAssertionAsync(browser, mfa, garbage));
        }
    }

    [Fact]
    public async Task Options_WithoutPendingLogin_AreRefused()
    {
        using var browser = H.Browser(followRedirects: false);
        var login = await browser.GetAsync("/.vigil/idp/login");
        var options = await browser.SubmitAsync(login, IdpEndpoints.WebAuthnMfaPath + "/options", []);
        Assert.Equal(HttpStatusCode.BadRequest, options.Status);
        Assert.DoesNotContain("challenge", options.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrol_UserWhoHasAKey_CannotEnrolAnotherFactorWithPasswordOnly()
    {
        using var key = await UserWithKeyAsync("wa-noenrol");
        using var intruder = new SoftAuthenticator();
        using var browser = H.Browser();
        var mfa = await browser.LoginAsync("/dashboard", "wa-noenrol", "wa-noenrol-password");
        Assert.True(mfa.IsMfaPage);
        var enroll = await browser.GetAsync(IdpEndpoints.EnrollPath);
        Assert.True(enroll.IsMfaPage);
        var options = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
        Assert.Equal(HttpStatusCode.BadRequest, options.Status);
        var page = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = "{}", ["name"] = "intruder" });
        Assert.True(page.IsLoginPage);
        Assert.Equal(1, await KeyCountAsync("wa-noenrol"));
    }

    [Fact]
    public async Task Account_PasswordOnlyUser_AddsAndRemovesKey_UnderStrictCsp()
    {
        await H.AddUserAsync("wa-acct", "wa-acct-password", ["engineer"], []);
        using var key = new SoftAuthenticator();
        using var browser = H.Browser();
        var account = await browser.LoginAsync("/.vigil/idp/login", "wa-acct", "wa-acct-password");
        Assert.Equal(IdpEndpoints.AccountPath, account.Url.AbsolutePath);
        Assert.Contains("id=\"no-keys\"", account.Html, StringComparison.Ordinal);

        using (var response = await browser.Http.GetAsync(IdpEndpoints.AccountPath))
        {
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Strict-Transport-Security")); // plain http (loopback): no HSTS
            Assert.Contains("<script src=\"/.vigil/idp/webauthn.js\" defer></script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var script = await browser.Http.GetAsync("/.vigil/idp/webauthn.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
            Assert.Contains("navigator.credentials.create", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var options = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/options", []);
        Assert.Equal(HttpStatusCode.OK, options.Status);
        using (var doc = JsonDocument.Parse(options.Html))
        {
            Assert.Equal("localhost", doc.RootElement.GetProperty("rp").GetProperty("id").GetString());
            Assert.Equal("wa-acct", doc.RootElement.GetProperty("user").GetProperty("name").GetString());
        }

        var codes = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath, new() { ["credential"] = key.Register(options.Html, Origin), ["name"] = "Desk <key>" });
        Assert.Contains("id=\"recovery-codes\"", codes.Html, StringComparison.Ordinal);
        account = await browser.GetAsync(ContinueLink(codes));
        Assert.Contains("Security key added.", account.Html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"key-name\">Desk &lt;key&gt;</span>", account.Html, StringComparison.Ordinal);

        Assert.Contains("id=\"reauth\"", account.Html, StringComparison.Ordinal); // now that a factor exists, changes need it

        // Sign in again with the key: then the same authenticator still cannot be registered twice, and it can be removed.
        var (mfa, assertion) = await PasswordThenOptionsAsync(browser, "wa-acct", "wa-acct-password", "/.vigil/idp/login");
        account = await PostAssertionAsync(browser, mfa, key.Assert(assertion, Origin));
        Assert.Equal(IdpEndpoints.AccountPath, account.Url.AbsolutePath);
        Assert.Contains("· last used ", account.Html, StringComparison.Ordinal);
        var again = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/options", []);
        Assert.Contains(key.Id, again.Html, StringComparison.Ordinal); // listed in excludeCredentials
        var duplicate = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath, new() { ["credential"] = key.Register(again.Html, Origin), ["name"] = "again" });
        Assert.Contains("could not be registered", duplicate.Html, StringComparison.Ordinal);
        Assert.Equal(1, await KeyCountAsync("wa-acct"));

        var id = Regex.Match(account.Html, "data-key-id=\"([0-9a-f]+)\"").Groups[1].Value;
        var removed = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/remove", new() { ["id"] = id });
        Assert.Contains("Security key removed.", removed.Html, StringComparison.Ordinal);
        Assert.Equal(0, await KeyCountAsync("wa-acct"));
    }

    [Fact]
    public async Task Account_UserWithKey_CannotChangeKeysFromPasswordOnlySession()
    {
        using var browser = H.Browser();

        // A provider session from before the key existed (password only) cannot add another key.
        await H.AddUserAsync("wa-sudo2", "wa-sudo2-password", [], []);
        var account = await browser.LoginAsync("/.vigil/idp/login", "wa-sudo2", "wa-sudo2-password");
        var options = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/options", []);
        using var first = new SoftAuthenticator();
        await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath, new() { ["credential"] = first.Register(options.Html, Origin), ["name"] = "first" });
        account = await browser.GetAsync(IdpEndpoints.AccountPath);
        Assert.Contains("id=\"reauth\"", account.Html, StringComparison.Ordinal);
        var refused = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/options", []);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(1, await KeyCountAsync("wa-sudo2"));
    }

    [Fact]
    public async Task Assertion_RepeatedFailures_BanTheAccountLikeWrongTotpCodes()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            PublicHost = "localhost", SeedAlice = false, Lockout = "{ max_failures_per_account: 3, max_failures_per_ip: 1000, window: 15m, ban: 10m, max_ban: 1h }",
        });
        var origin = $"http://localhost:{h.Port}";
        await h.AddUserAsync("wa-ban", "wa-ban-password", ["engineer"], [], mfaRequired: true);
        using var key = new SoftAuthenticator();
        using (var browser = h.Browser())
        {
            var page = await browser.LoginAsync("/dashboard", "wa-ban", "wa-ban-password");
            var options = await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
            await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = key.Register(options.Html, origin), ["name"] = "k" });
        }

        using var attacker = h.Browser();
        for (var i = 0; i < 2; i++)
        {
            var (mfa, options) = await PasswordThenOptionsAsync(attacker, "wa-ban", "wa-ban-password");
            AssertRefused(await PostAssertionAsync(attacker, mfa, key.Assert(options, "http://evil.localhost:" + h.Port)));
        }

        // Third failure bans the account: from then on even the real key is refused.
        var (mfa3, options3) = await PasswordThenOptionsAsync(attacker, "wa-ban", "wa-ban-password");
        AssertRefused(await PostAssertionAsync(attacker, mfa3, key.Assert(options3, "http://evil.localhost:" + h.Port)));
        var log = await h.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("kind").GetString() == "ban" && e.GetProperty("subject").GetString() == "account:wa-ban");

        using var owner = h.Browser();
        var login = await owner.LoginAsync("/dashboard", "wa-ban", "wa-ban-password");
        Assert.True(login.IsLoginPage, "a banned account gets no further than the password");
    }

    [Fact]
    public async Task Assertion_AfterChallengeLifetime_IsRefused_ThenAFreshChallengeWorks()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { PublicHost = "localhost", SeedAlice = false, Time = time });
        var origin = $"http://localhost:{h.Port}";
        await h.AddUserAsync("wa-late", "wa-late-password", ["engineer"], [], mfaRequired: true);
        using var key = new SoftAuthenticator();
        using (var browser = h.Browser())
        {
            var page = await browser.LoginAsync("/dashboard", "wa-late", "wa-late-password");
            var options = await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
            await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = key.Register(options.Html, origin), ["name"] = "k" });
        }

        using var late = h.Browser();
        var (mfa, stale) = await PasswordThenOptionsAsync(late, "wa-late", "wa-late-password");
        time.Advance(WebAuthnRuntime.ChallengeLifetime);
        AssertRefused(await PostAssertionAsync(late, mfa, key.Assert(stale, origin)));
        var log = await h.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("subject").GetString() == "wa-late" && e.GetProperty("reason").GetString() == "webauthn_no_challenge");

        // Same login attempt (its pending cookie lives 5 minutes), new challenge: accepted.
        var fresh = await late.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath + "/options", []);
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal("/dashboard", (await PostAssertionAsync(late, mfa, key.Assert(fresh.Html, origin))).Url.AbsolutePath);
    }

    [Fact]
    public async Task Account_TotpUser_AddsKeyAfterTotp_ThenEitherFactorSignsIn()
    {
        var secret = (await H.AddUserAsync("wa-both", "wa-both-password", ["engineer"], [], totp: true))!;
        using var key = new SoftAuthenticator();
        var step = 0;
        string Code() => VigilHarness.Totp(secret, DateTimeOffset.UtcNow.AddSeconds(30 * step++));
        using (var browser = H.Browser())
        {
            var account = await browser.LoginAsync("/.vigil/idp/login", "wa-both", "wa-both-password", Code);
            Assert.Equal(IdpEndpoints.AccountPath, account.Url.AbsolutePath);
            Assert.Contains("Set up.", account.Html, StringComparison.Ordinal);
            var options = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath + "/options", []);
            Assert.Equal(HttpStatusCode.OK, options.Status);
            account = await browser.SubmitAsync(account, IdpEndpoints.AccountKeysPath, new() { ["credential"] = key.Register(options.Html, Origin), ["name"] = "second" });
            Assert.Contains("Security key added.", account.Html, StringComparison.Ordinal); // no new recovery codes: TOTP came first
        }

        using (var browser = H.Browser())
        {
            var (mfa, options) = await PasswordThenOptionsAsync(browser, "wa-both", "wa-both-password");
            Assert.Contains("name=\"code\"", mfa.Html, StringComparison.Ordinal);
            Assert.Equal("/dashboard", (await PostAssertionAsync(browser, mfa, key.Assert(options, Origin, userVerified: false))).Url.AbsolutePath);
            Assert.Equal(["pwd", "hwk", "user", "mfa"], await AmrAsync(browser));
        }

        using (var browser = H.Browser())
        {
            var page = await browser.LoginAsync("/dashboard", "wa-both", "wa-both-password", Code);
            Assert.Equal("/dashboard", page.Url.AbsolutePath);
            Assert.Equal(["pwd", "otp", "mfa"], await AmrAsync(browser));
        }
    }

    [Fact]
    public async Task PublicUrlWithIpAddress_OffersNoSecurityKeys()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { SeedAlice = false }); // http://127.0.0.1:PORT
        await h.AddUserAsync("wa-ip", "wa-ip-password", ["engineer"], [], mfaRequired: true);
        using var browser = h.Browser();
        var enroll = await browser.LoginAsync("/dashboard", "wa-ip", "wa-ip-password");
        Assert.Equal(IdpEndpoints.EnrollPath, enroll.Url.AbsolutePath);
        Assert.DoesNotContain("data-webauthn", enroll.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("webauthn.js", enroll.Html, StringComparison.Ordinal);
        Assert.Contains("id=\"secret\"", enroll.Html, StringComparison.Ordinal);
        var options = await browser.SubmitAsync(enroll, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
        Assert.Equal(HttpStatusCode.BadRequest, options.Status);
    }

    // --- helpers ---

    /// <summary>A user whose one second factor is a registered software key (enrolled through the real flow).</summary>
    private async Task<SoftAuthenticator> UserWithKeyAsync(string name)
    {
        await H.AddUserAsync(name, name + "-password", ["engineer"], [], mfaRequired: true);
        var key = new SoftAuthenticator();
        using var browser = H.Browser();
        var codes = await EnrolAtLoginAsync(browser, name, name + "-password", key);
        Assert.Contains("id=\"recovery-codes\"", codes.Html, StringComparison.Ordinal);
        return key;
    }

    private async Task<BrowserClient.Page> EnrolAtLoginAsync(BrowserClient browser, string user, string password, SoftAuthenticator key)
    {
        var page = await browser.LoginAsync("/dashboard", user, password);
        Assert.Equal(IdpEndpoints.EnrollPath, page.Url.AbsolutePath);
        Assert.Contains("data-webauthn=\"create\"", page.Html, StringComparison.Ordinal);
        var options = await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
        Assert.Equal(HttpStatusCode.OK, options.Status);
        return await browser.SubmitAsync(page, IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = key.Register(options.Html, Origin), ["name"] = "Soft key" });
    }

    private static async Task<(BrowserClient.Page Mfa, string Options)> PasswordThenOptionsAsync(BrowserClient browser, string user, string password, string start = "/dashboard")
    {
        var mfa = await browser.LoginAsync(start, user, password);
        Assert.True(mfa.IsMfaPage, $"expected the MFA page, got {mfa.Url}");
        var options = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath + "/options", []);
        Assert.Equal(HttpStatusCode.OK, options.Status);
        return (mfa, options.Html);
    }

    private static Task<BrowserClient.Page> PostAssertionAsync(BrowserClient browser, BrowserClient.Page mfa, string credential) =>
        browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath, new() { ["credential"] = credential });

    private static void AssertRefused(BrowserClient.Page page)
    {
        Assert.True(page.IsMfaPage, $"expected the MFA page, got {page.Status} {page.Url}");
        Assert.Contains("error=1", page.Url.Query, StringComparison.Ordinal);
    }

    private async Task AssertLoggedAsync(string user, string reason)
    {
        var log = await H.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("subject").GetString() == user &&
            e.GetProperty("decision").GetString() == "failure" && e.GetProperty("reason").GetString() == reason);
    }

    private static async Task<string[]> AmrAsync(BrowserClient browser)
    {
        using var response = await browser.Http.GetAsync("/.vigil/session");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.GetProperty("amr").EnumerateArray().Select(a => a.GetString()!)];
    }

    private async Task<int> KeyCountAsync(string userName)
    {
        await using var scope = H.Server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserService>();
        var user = (await users.FindAsync(userName))!;
        return (await scope.ServiceProvider.GetRequiredService<WebAuthnService>().ListAsync(user.Id)).Count;
    }

    private static string ContinueLink(BrowserClient.Page page) =>
        WebUtility.HtmlDecode(ContinueRegex().Match(page.Html).Groups[1].Value);

    [GeneratedRegex("id=\"continue\" href=\"([^\"]*)\"")]
    private static partial Regex ContinueRegex();
}
