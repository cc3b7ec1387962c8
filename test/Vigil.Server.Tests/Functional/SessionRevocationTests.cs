using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>Server-side session revocation: logout, user disable and admin revocation refuse a copied cookie at once.</summary>
public sealed class SessionRevocationTests
{
    private static async Task<HttpResponseMessage> ReplayAsync(VigilHarness h, string cookie, string path, string accept)
    {
        using var client = h.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "__vigil_session=" + cookie);
        request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task<string> SessionIdAsync(BrowserClient browser)
    {
        var page = await browser.GetAsync("/.vigil/session").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return JsonDocument.Parse(page.Html).RootElement.GetProperty("session_id").GetString()!;
    }

    [Fact]
    public async Task Logout_CopiedCookieReplayed_IsRefusedAndNothingReachesTheUpstream()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("copy1", "copy-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/c?marker=cp1", "copy1", "copy-password-1")).Status);
        var copied = browser.CookieValue(h.BaseUrl, "__vigil_session")!;
        var copiedIdp = browser.CookieValue(h.BaseUrl, "__vigil_idp", "/.vigil/idp/")!;
        Assert.NotNull(copied);
        Assert.NotNull(copiedIdp);
        // A real ticket takes the hot path's cookie reading (so the revocation checks below run on cache hits there).
        Assert.True(Vigil.Server.Sessions.SessionCookie.TryFind(new Microsoft.Extensions.Primitives.StringValues("__vigil_session=" + copied), "__vigil_session", out var found));
        Assert.Equal(copied, found.ToString());
        var sessionId = await SessionIdAsync(browser);

        // The copy works before logout (and is now in the session cache, so the replay below tests a cache hit).
        using (var before = await ReplayAsync(h, copied, "/c?marker=cp2", "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await browser.GetAsync("/.vigil/logout");

        using (var api = await ReplayAsync(h, copied, "/c?marker=cp3", "application/json"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }

        using (var page = await ReplayAsync(h, copied, "/c?marker=cp4", "text/html"))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Contains("/.vigil/idp/authorize", page.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        using (var session = await ReplayAsync(h, copied, "/.vigil/session", "application/json"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
        }

        // A copy of the provider cookie cannot mint a new gateway session either: the replay ends at the login page.
        using var thief = h.Browser();
        thief.Cookies.Add(new Cookie("__vigil_idp", copiedIdp, "/.vigil/idp", h.BaseUrl.Host));
        var stolen = await thief.GetAsync("/c?marker=cp5");
        Assert.True(stolen.IsLoginPage, stolen.Url.ToString());

        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=cp3", StringComparison.Ordinal) ||
            r.RawTarget.Contains("marker=cp4", StringComparison.Ordinal) || r.RawTarget.Contains("marker=cp5", StringComparison.Ordinal));

        // The revocation is in the store, so it survives a restart.
        await using var scope = h.Server.Services.CreateAsyncScope();
        var rows = await new RevocationStore(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), time).LoadActiveAsync();
        Assert.Contains(rows, r => r.Kind == RevocationStore.SessionKind && r.Key == sessionId && r.Reason == "logout");
    }

    [Fact]
    public async Task Logout_ThenRestartOnTheSameStore_CopiedCookieIsStillRefused()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("restart1", "restart-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/c?marker=rs1", "restart1", "restart-password-1")).Status);
        var copied = browser.CookieValue(h.BaseUrl, "__vigil_session")!;
        await browser.GetAsync("/.vigil/logout");
        await h.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // A new process on the same data folder and port: it loads the revocation before serving.
        await using var restarted = VigilServer.Create(Vigil.Server.Configuration.ConfigLoader.LoadFile(h.ConfigPath), new VigilServerOptions { TimeProvider = time });
        await restarted.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        using var replay = await ReplayAsync(h, copied, "/c?marker=rs2", "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=rs2", StringComparison.Ordinal));
        await restarted.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task DisableUser_FromAnotherProcessViaTheStore_RefusesCachedSessionAtNextRefresh()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("off1", "off-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/d?marker=off1", "off1", "off-password-1")).Status);
        var copied = browser.CookieValue(h.BaseUrl, "__vigil_session")!;
        using (var cached = await ReplayAsync(h, copied, "/d?marker=off2", "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        // What `vigil users disable` does: its own DbContext on the same SQLite file, no call into the server.
        await using (var db = new VigilDbContext(VigilDbContext.SqliteOptions(Path.Combine(h.Directory, "data"))))
        {
            Assert.True(await new UserService(db, time).SetDisabledAsync("off1", true));
        }

        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.Services.GetRequiredService<SessionRevocations>().Refreshed += () => refreshed.TrySetResult();
        time.Advance(SessionRevocations.RefreshInterval);
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Well inside the 30 s session cache lifetime.
        using var after = await ReplayAsync(h, copied, "/d?marker=off3", "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=off3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminRevokesSessionId_ThatSessionIsRefused_OtherSessionsOfTheUserAreNot()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("two1", "two-password-1", ["engineer"], []);
        using var first = h.Browser();
        using var second = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await first.LoginAsync("/a?marker=ad1", "two1", "two-password-1")).Status);
        Assert.Equal(HttpStatusCode.OK, (await second.LoginAsync("/a?marker=ad2", "two1", "two-password-1")).Status);
        var sessionId = await SessionIdAsync(first);

        // What `vigil sessions revoke ID` does.
        await using (var db = new VigilDbContext(VigilDbContext.SqliteOptions(Path.Combine(h.Directory, "data"))))
        {
            await new RevocationStore(db, time).RevokeSessionAsync(sessionId, null, "admin:test");
        }

        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.Services.GetRequiredService<SessionRevocations>().Refreshed += () => refreshed.TrySetResult();
        time.Advance(SessionRevocations.RefreshInterval);
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var revoked = await ReplayAsync(h, first.CookieValue(h.BaseUrl, "__vigil_session")!, "/a?marker=ad3", "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        using var other = await ReplayAsync(h, second.CookieValue(h.BaseUrl, "__vigil_session")!, "/a?marker=ad4", "application/json");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=ad3", StringComparison.Ordinal));
    }
}
