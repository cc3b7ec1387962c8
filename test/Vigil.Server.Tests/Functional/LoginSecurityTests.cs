using System.Net;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>The built-in provider's login under attack: open redirects, CSRF, session fixation, MFA, disabled users.</summary>
public sealed class LoginSecurityTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    private async Task<(BrowserClient Browser, BrowserClient.Page LoginPage)> OpenLoginAsync(string returnUrl)
    {
        var browser = H.Browser(followRedirects: false);
        var page = await browser.GetAsync("/.vigil/idp/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return (browser, page);
    }

    [Theory]
    [InlineData("//evil.test/x")]
    [InlineData("/\\evil.test")]
    [InlineData("https://evil.test/")]
    [InlineData("%2F%2Fevil.test")]
    [InlineData("/%2F%2Fevil.test")]
    [InlineData("/.vigil/idp/authorize/../../%2F%2Fevil.test")]
    [InlineData("javascript:alert(1)")]
    public async Task Login_OpenRedirectReturnUrl_StaysOnSite(string returnUrl)
    {
        await H.AddUserAsync("redir" + Math.Abs(returnUrl.GetHashCode(StringComparison.Ordinal)), "redirect-password-1", [], []);
        var (browser, page) = await OpenLoginAsync(returnUrl);
        using (browser)
        {
            Assert.Equal("", page.Field("returnUrl"));
            var values = new Dictionary<string, string>
            {
                ["__vigil_csrf"] = page.Field("__vigil_csrf")!, ["returnUrl"] = returnUrl,
                ["username"] = "redir" + Math.Abs(returnUrl.GetHashCode(StringComparison.Ordinal)), ["password"] = "redirect-password-1",
            };
            using var response = await browser.Http.PostAsync("/.vigil/idp/login", new FormUrlEncodedContent(values));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var location = response.Headers.Location!;
            var absolute = location.IsAbsoluteUri ? location : new Uri(H.BaseUrl, location);
            Assert.Equal(H.BaseUrl.Authority, absolute.Authority);
            Assert.Equal("/.vigil/idp/account", absolute.AbsolutePath);
        }
    }

    [Theory]
    [InlineData("//evil.test")]
    [InlineData("/\\evil.test")]
    [InlineData("https://evil.test")]
    public async Task GatewayLoginHelper_OpenRedirect_LandsOnSite(string rd)
    {
        await H.AddUserAsync("rd" + Math.Abs(rd.GetHashCode(StringComparison.Ordinal)), "redirect-password-2", ["engineer"], []);
        using var browser = H.Browser();
        var page = await browser.LoginAsync("/.vigil/login?rd=" + Uri.EscapeDataString(rd), "rd" + Math.Abs(rd.GetHashCode(StringComparison.Ordinal)), "redirect-password-2");
        Assert.Equal(H.BaseUrl.Authority, page.Url.Authority);
        Assert.Equal("/", page.Url.AbsolutePath);
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_IsRefusedAndSetsNoSession()
    {
        await H.AddUserAsync("csrf1", "csrf-password-1", [], []);
        using var browser = H.Browser(followRedirects: false);
        using var response = await browser.Http.PostAsync("/.vigil/idp/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "csrf1", ["password"] = "csrf-password-1" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(browser.CookieValue(H.BaseUrl, "__vigil_idp", "/.vigil/idp/"));
    }

    [Fact]
    public async Task Login_WithAntiforgeryTokenOfAnotherBrowser_IsRefused()
    {
        await H.AddUserAsync("csrf2", "csrf-password-2", [], []);
        var (attacker, attackerPage) = await OpenLoginAsync("/x");
        using (attacker)
        {
            using var victim = H.Browser(followRedirects: false);
            await victim.GetAsync("/.vigil/idp/login");
            using var response = await victim.Http.PostAsync("/.vigil/idp/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__vigil_csrf"] = attackerPage.Field("__vigil_csrf")!, ["username"] = "csrf2", ["password"] = "csrf-password-2",
            }));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(victim.CookieValue(H.BaseUrl, "__vigil_idp", "/.vigil/idp/"));
        }
    }

    [Fact]
    public async Task SessionFixation_PlantedCookies_AreReplacedAndWorthless()
    {
        await H.AddUserAsync("fix1", "fixation-password-1", ["engineer"], []);
        using var browser = H.Browser();
        browser.Cookies.Add(H.BaseUrl, new Cookie("__vigil_session", "attacker-chosen-value", "/"));
        browser.Cookies.Add(new Uri(H.BaseUrl, "/.vigil/idp/"), new Cookie("__vigil_idp", "attacker-chosen-value", "/.vigil/idp"));
        var page = await browser.LoginAsync("/fix?marker=fix1", "fix1", "fixation-password-1");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var session = browser.CookieValue(H.BaseUrl, "__vigil_session");
        Assert.NotNull(session);
        Assert.NotEqual("attacker-chosen-value", session);

        // The attacker's planted value never authenticates.
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fix?marker=fix2");
        request.Headers.Add("Cookie", "__vigil_session=attacker-chosen-value");
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        // Each login gets a new session id.
        var first = await SessionIdAsync(browser);
        using var second = H.Browser();
        await second.LoginAsync("/fix?marker=fix3", "fix1", "fixation-password-1");
        Assert.NotEqual(first, await SessionIdAsync(second));
    }

    private static async Task<string> SessionIdAsync(BrowserClient browser)
    {
        using var session = JsonDocument.Parse(await browser.Http.GetStringAsync("/.vigil/session"));
        var sid = session.RootElement.GetProperty("session_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", sid);
        return sid!;
    }

    [Fact]
    public async Task Mfa_PasswordThenTotp_ReachesPageWithMfaRecorded()
    {
        var secret = (await H.AddUserAsync("mfa1", "mfa-password-1", ["engineer"], [], totp: true))!;
        using var browser = H.Browser();
        var page = await browser.LoginAsync("/m?marker=mfa1", "mfa1", "mfa-password-1");
        Assert.True(page.IsMfaPage, page.Url.ToString());
        var wrong = await browser.SubmitAsync(page, "/.vigil/idp/mfa", new() { ["code"] = "000000" == VigilHarness.Totp(secret, DateTimeOffset.UtcNow) ? "111111" : "000000" });
        Assert.True(wrong.IsMfaPage);
        Assert.Contains("id=\"error\"", wrong.Html, StringComparison.Ordinal);
        var code = VigilHarness.Totp(secret, DateTimeOffset.UtcNow);
        var done = await browser.SubmitAsync(wrong, "/.vigil/idp/mfa", new() { ["code"] = code });
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.Contains("upstream mfa1@example.test", done.Html, StringComparison.Ordinal);
        using var session = JsonDocument.Parse(await browser.Http.GetStringAsync("/.vigil/session"));
        Assert.True(session.RootElement.GetProperty("mfa_verified").GetBoolean());
        Assert.Contains("otp", session.RootElement.GetProperty("amr").EnumerateArray().Select(e => e.GetString()));
        Assert.True(session.RootElement.GetProperty("auth_time").GetInt64() > 0);

        // The same code cannot be used again (replay).
        using var other = H.Browser();
        var again = await other.LoginAsync("/m?marker=mfa2", "mfa1", "mfa-password-1", () => code);
        Assert.True(again.IsMfaPage);
    }

    [Fact]
    public async Task DisabledUser_CannotSignIn()
    {
        await H.AddUserAsync("gone1", "disabled-password-1", ["engineer"], [], disabled: true);
        using var browser = H.Browser();
        var page = await browser.LoginAsync("/d?marker=gone1", "gone1", "disabled-password-1");
        Assert.True(page.IsLoginPage);
        Assert.Contains("id=\"error\"", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(H.Upstream.Received, r => r.RawTarget.Contains("marker=gone1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongPassword_ShowsNeutralMessage()
    {
        using var browser = H.Browser();
        var unknownUser = await browser.LoginAsync("/w?marker=w1", "nobody-at-all", "whatever-password");
        using var browser2 = H.Browser();
        var wrongPassword = await browser2.LoginAsync("/w?marker=w2", "alice", "not-alices-password");
        Assert.True(unknownUser.IsLoginPage && wrongPassword.IsLoginPage);
        static string Error(string html) => System.Text.RegularExpressions.Regex.Match(html, "id=\"error\">([^<]*)<").Groups[1].Value;
        Assert.NotEmpty(Error(unknownUser.Html));
        Assert.Equal(Error(unknownUser.Html), Error(wrongPassword.Html));
    }
}

/// <summary>TOTP enrolment at first login, recovery codes, sign-out.</summary>
public sealed class EnrolmentTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    [Fact]
    public async Task MfaRequiredUser_EnrolsAtFirstLogin_ThenSignsInWithARecoveryCodeOnce()
    {
        await H.AddUserAsync("enrol1", "enrol-password-1", ["engineer"], [], mfaRequired: true);
        using var browser = H.Browser();
        var page = await browser.LoginAsync("/e?marker=en1", "enrol1", "enrol-password-1");
        Assert.Equal("/.vigil/idp/mfa/enroll", page.Url.AbsolutePath);
        Assert.Contains("data:image/png;base64,", page.Html, StringComparison.Ordinal);
        var secret = System.Text.RegularExpressions.Regex.Match(page.Html, "id=\"secret\">([A-Z2-7]+)<").Groups[1].Value;
        Assert.NotEmpty(secret);
        var wrong = await browser.SubmitAsync(page, "/.vigil/idp/mfa/enroll", new() { ["code"] = "12345" });
        Assert.Contains("id=\"error\"", wrong.Html, StringComparison.Ordinal);
        var codesPage = await browser.SubmitAsync(wrong, "/.vigil/idp/mfa/enroll", new() { ["code"] = VigilHarness.Totp(secret, DateTimeOffset.UtcNow) });
        var codes = System.Text.RegularExpressions.Regex.Matches(codesPage.Html, "<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(10, codes.Count);
        var next = System.Text.RegularExpressions.Regex.Match(codesPage.Html, "id=\"continue\" href=\"([^\"]+)\"").Groups[1].Value;
        var done = await browser.GetAsync(System.Net.WebUtility.HtmlDecode(next));
        Assert.Contains("upstream enrol1@example.test", done.Html, StringComparison.Ordinal);

        using var second = H.Browser();
        var withRecovery = await second.LoginAsync("/e?marker=en2", "enrol1", "enrol-password-1", () => codes[3]);
        Assert.Contains("upstream enrol1@example.test", withRecovery.Html, StringComparison.Ordinal);

        using var third = H.Browser();
        var reused = await third.LoginAsync("/e?marker=en3", "enrol1", "enrol-password-1", () => codes[3]);
        Assert.True(reused.IsMfaPage);
    }

    [Fact]
    public async Task Logout_EndsTheSession()
    {
        await H.AddUserAsync("bye1", "bye-password-1", ["engineer"], []);
        using var browser = H.Browser();
        await browser.LoginAsync("/b?marker=bye1", "bye1", "bye-password-1");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await browser.GetAsync("/.vigil/session")).Status);
        await browser.GetAsync("/.vigil/logout");
        Assert.Null(browser.CookieValue(H.BaseUrl, "__vigil_session"));
        var after = await browser.GetAsync("/b?marker=bye2");
        Assert.True(after.IsLoginPage);
    }
}
