using Microsoft.Playwright;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>A real browser (Debian's chromium driven by Playwright) against a real Vigil and upstream.</summary>
public sealed class BrowserTests
{
    [Fact]
    public async Task Chromium_LogsInWithPasswordAndTotp_ReachesUpstream_AndIsDeniedRestrictedRoute()
    {
        await using var h = await VigilHarness.StartAsync();
        var secret = (await h.AddUserAsync("erin", "erin-password-1", ["engineer"], ["staff"], totp: true))!;
        using var playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await using var browser = await LaunchAsync(playwright);
        var page = await NewPageAsync(browser);

        await page.GotoAsync(h.BaseUrl + "dashboard?marker=pw1");
        Assert.EndsWith("/.vigil/idp/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.FillAsync("#username", "erin");
        await page.FillAsync("#password", "erin-password-1");
        await page.ClickAsync("#sign-in");
        await Step(page, () => page.WaitForSelectorAsync("#code"));
        Assert.Equal("/.vigil/idp/mfa", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#code", VigilHarness.Totp(secret, DateTimeOffset.UtcNow));
        await page.ClickAsync("#verify");
        await Step(page, () => page.WaitForSelectorAsync("#greeting"));
        Assert.Equal("/dashboard", new Uri(page.Url).AbsolutePath);
        Assert.Equal("upstream erin@example.test", await page.TextContentAsync("#greeting"));
        var got = Assert.Single(h.Upstream.Received, r => r.RawTarget.Contains("marker=pw1", StringComparison.Ordinal));
        Assert.Equal("erin@example.test", got.Header("X-Vigil-Email"));
        Assert.DoesNotContain("__vigil", got.Header("Cookie") ?? "", StringComparison.Ordinal);

        var response = await page.GotoAsync(h.BaseUrl + "admin?marker=pw2");
        Assert.Equal(403, response!.Status);
        Assert.Equal("admin role required", await page.TextContentAsync("#reason"));
        Assert.Matches("^[0-9a-f]{24}$", await page.TextContentAsync("#request-id") ?? "");
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=pw2", StringComparison.Ordinal));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "vigil-denied.png") });
    }

    [Fact]
    public async Task Chromium_SecurityKey_EnrolsOnAccountPage_StepsUpAndSignsInWithPasswordAndKey()
    {
        // WebAuthn needs a host name as RP id: the public URL is http://localhost:PORT (Kestrel listens on 127.0.0.1).
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { PublicHost = "localhost", SeedAlice = false });
        await h.AddUserAsync("wendy", "wendy-password-1", ["admin"], ["staff"]);
        using var playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        await using var browser = await LaunchAsync(playwright);
        var page = await NewPageAsync(browser);
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add(message.Text);
                }
            }
        };

        // Chromium's virtual authenticator (DevTools protocol): a USB CTAP2 key that verifies the user.
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2", ["transport"] = "usb", ["hasResidentKey"] = true, ["hasUserVerification"] = true,
                ["isUserVerified"] = true, ["automaticPresenceSimulation"] = true,
            },
        });
        var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;

        // 1. Password only (no second factor yet), then register the key on the account page.
        await page.GotoAsync(h.BaseUrl + "dashboard?marker=wa0");
        await page.FillAsync("#username", "wendy");
        await page.FillAsync("#password", "wendy-password-1");
        await page.ClickAsync("#sign-in");
        await Step(page, () => page.WaitForSelectorAsync("#greeting"));
        await page.GotoAsync(h.BaseUrl + ".vigil/idp/account");
        await page.FillAsync("#key-name", "Virtual key");
        await page.ClickAsync("#add-key");
        await Step(page, () => page.WaitForSelectorAsync("#recovery-codes"));
        await page.ClickAsync("#continue");
        await Step(page, () => page.WaitForSelectorAsync("#status"));
        Assert.Equal("Security key added.", await page.TextContentAsync("#status"));
        Assert.Equal("Virtual key", await page.TextContentAsync(".key-name"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "vigil-account-keys.png") });
        var credentials = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        Assert.Equal(1, credentials!.Value.GetProperty("credentials").GetArrayLength());

        // 2. Step-up: the restricted route wants fresh MFA; password, then the key.
        await page.GotoAsync(h.BaseUrl + "admin?marker=wa1");
        await Step(page, () => page.WaitForSelectorAsync("#password"));
        await page.FillAsync("#username", "wendy");
        await page.FillAsync("#password", "wendy-password-1");
        await page.ClickAsync("#sign-in");
        await Step(page, () => page.WaitForSelectorAsync("#use-key"));
        await page.ClickAsync("#use-key");
        await Step(page, () => page.WaitForSelectorAsync("#greeting"));
        Assert.Equal("/admin", new Uri(page.Url).AbsolutePath);
        var stepUp = Assert.Single(h.Upstream.Received, r => r.RawTarget.Contains("marker=wa1", StringComparison.Ordinal));
        Assert.Contains("hwk", AssertionAmr(stepUp.Header("X-Vigil-Assertion")!));

        // 3. Sign out, sign in again with password + key, reach the upstream.
        await page.GotoAsync(h.BaseUrl + ".vigil/logout");
        await page.GotoAsync(h.BaseUrl + "dashboard?marker=wa2");
        await Step(page, () => page.WaitForSelectorAsync("#password"));
        await page.FillAsync("#username", "wendy");
        await page.FillAsync("#password", "wendy-password-1");
        await page.ClickAsync("#sign-in");
        await Step(page, () => page.WaitForSelectorAsync("#use-key"));
        Assert.Equal("/.vigil/idp/mfa", new Uri(page.Url).AbsolutePath);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "vigil-mfa-key.png") });
        await page.ClickAsync("#use-key");
        await Step(page, () => page.WaitForSelectorAsync("#greeting"));
        Assert.Equal("upstream wendy@example.test", await page.TextContentAsync("#greeting"));
        var got = Assert.Single(h.Upstream.Received, r => r.RawTarget.Contains("marker=wa2", StringComparison.Ordinal));
        Assert.Equal(["pwd", "hwk", "user", "pin", "mfa"], AssertionAmr(got.Header("X-Vigil-Assertion")!));
        var session = await page.GotoAsync(h.BaseUrl + ".vigil/session");
        Assert.Contains("\"mfa_verified\":true", await session!.TextAsync(), StringComparison.Ordinal);

        lock (consoleErrors)
        {
            Assert.DoesNotContain(consoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        }
    }

    private static string[] AssertionAmr(string jwt)
    {
        var payload = jwt.Split('.')[1];
        var json = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(payload));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("amr").EnumerateArray().Select(a => a.GetString()!)];
    }

    private static async Task Step(IPage page, Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"browser step timed out at {page.Url}: {ex.Message}\n{await page.ContentAsync()}");
        }
    }

    /// <summary>Debian's Chromium, headless, as the brief prescribes (Playwright's own browser download cannot work here).</summary>
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        Timeout = 60_000,
    });

    private static async Task<IPage> NewPageAsync(IBrowser browser)
    {
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);
        return page;
    }
}
