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
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            Timeout = 60_000,
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(90_000);
        page.SetDefaultNavigationTimeout(90_000);

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
}
