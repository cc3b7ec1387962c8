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
        page.SetDefaultTimeout(30_000);

        await page.GotoAsync(h.BaseUrl + "dashboard?marker=pw1");
        Assert.EndsWith("/.vigil/idp/login", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.FillAsync("#username", "erin");
        await page.FillAsync("#password", "erin-password-1");
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/.vigil/idp/mfa**");
        await page.FillAsync("#code", VigilHarness.Totp(secret, DateTimeOffset.UtcNow));
        await page.ClickAsync("#verify");
        await page.WaitForURLAsync("**/dashboard?marker=pw1");
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
}
