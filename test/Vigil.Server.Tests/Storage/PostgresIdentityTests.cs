using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>The built-in provider and gateway on PostgreSQL: the OIDC login, TOTP enrolment state, recorded sessions.</summary>
public sealed class PostgresIdentityTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private static VigilDbContext Open(string connectionString) =>
        new(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = connectionString }, Path.GetTempPath()));

    private static Task<VigilHarness> StartAsync(string connectionString, TimeProvider? time = null) =>
        VigilHarness.StartAsync(new HarnessOptions
        {
            Time = time ?? TimeProvider.System,
            SeedAlice = false,
            StorageYaml = PostgresTestDatabase.StorageYaml(connectionString, Path.Combine(Path.GetTempPath(), "vigil-pg-secrets")),
        });

    private static async Task<string> SessionIdAsync(BrowserClient browser)
    {
        var page = await browser.GetAsync("/.vigil/session").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return JsonDocument.Parse(page.Html).RootElement.GetProperty("session_id").GetString()!;
    }

    [PostgresFact]
    public async Task Login_OidcFlowThroughAPostgresBackedProvider_ReachesTheUpstreamAndRecordsTheSession()
    {
        await using var h = await StartAsync(database.ConnectionString);
        await h.AddUserAsync("pg1", "pg-password-1", ["engineer"], ["staff"]);
        using var browser = h.Browser();
        browser.Http.DefaultRequestHeaders.UserAgent.ParseAdd("VigilTest/1.0");
        var page = await browser.LoginAsync("/p?marker=pg1", "pg1", "pg-password-1").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains(h.Upstream.Received, r => r.RawTarget.Contains("marker=pg1", StringComparison.Ordinal));
        var sessionId = await SessionIdAsync(browser);

        // Everything went to PostgreSQL: no SQLite file, the provider's client registrations and the user are there.
        Assert.False(File.Exists(Path.Combine(h.Directory, "data", "vigil.db")));
        Assert.True((long)(await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT COUNT(*) FROM \"OpenIddictApplications\""))! >= 2);
        await using var db = Open(database.ConnectionString);
        var user = await new UserService(db, TimeProvider.System).FindAsync("pg1");
        Assert.NotNull(user);
        Assert.Equal(["engineer"], user.Roles.Select(r => r.Role));
        Assert.Equal(["staff"], user.Groups.Select(g => g.Group));

        var session = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId);
        Assert.Equal(user.Id, session.Subject);
        Assert.Equal("pg1", session.UserName);
        Assert.Equal("127.0.0.1", session.ClientIp);
        Assert.Equal("VigilTest/1.0", session.UserAgent);
        Assert.Equal("pwd", session.Amr);
        Assert.Null(session.RevokedAtUnix);
        Assert.InRange(session.ExpiresAtUnix - session.CreatedAtUnix, 8 * 3600 - 5, 8 * 3600);
    }

    [PostgresFact]
    public async Task TotpEnrolment_StateIsKeptInPostgres_AndTheSameCodeIsNotAcceptedTwice()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await StartAsync(database.ConnectionString, time);
        await h.AddUserAsync("pgmfa1", "pgmfa-password-1", ["engineer"], [], mfaRequired: true);
        using var browser = h.Browser();
        var page = await browser.LoginAsync("/m?marker=pgm1", "pgmfa1", "pgmfa-password-1");
        Assert.Equal("/.vigil/idp/mfa/enroll", page.Url.AbsolutePath);
        var secret = Regex.Match(page.Html, "id=\"secret\">([A-Z2-7]+)<").Groups[1].Value;
        Assert.NotEmpty(secret);
        var code = VigilHarness.Totp(secret, time.GetUtcNow());
        var codesPage = await browser.SubmitAsync(page, "/.vigil/idp/mfa/enroll", new() { ["code"] = code });
        Assert.Equal(10, Regex.Matches(codesPage.Html, "<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>").Count);

        await using (var db = Open(database.ConnectionString))
        {
            var stored = await new UserService(db, time).FindAsync("pgmfa1");
            Assert.Equal(secret, stored!.TotpSecret);
            Assert.True(stored.TotpLastStep > 0);
            Assert.Equal(10, stored.RecoveryCodes!.Split(' ').Length);
        }

        // The used time step is stored: the same code in another browser is refused, the next step's code works.
        using var replay = h.Browser();
        var refused = await replay.LoginAsync("/m?marker=pgm2", "pgmfa1", "pgmfa-password-1", () => code);
        Assert.True(refused.IsMfaPage, refused.Url.ToString());
        time.Advance(TimeSpan.FromSeconds(30));
        using var next = h.Browser();
        var accepted = await next.LoginAsync("/m?marker=pgm3", "pgmfa1", "pgmfa-password-1", () => VigilHarness.Totp(secret, time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Contains(h.Upstream.Received, r => r.RawTarget.Contains("marker=pgm3", StringComparison.Ordinal));
        var sessionId = await SessionIdAsync(next);
        await using (var db = Open(database.ConnectionString))
        {
            Assert.Equal("pwd otp mfa", (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId)).Amr);
        }
    }

    [PostgresFact]
    public async Task LastSeen_IsWrittenInOneBatchAtTheMinute_NotPerRequest_AndExpiredSessionsArePruned()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var connectionString = await database.CreateDatabaseAsync();
        await using var h = await StartAsync(connectionString, time);
        await h.AddUserAsync("seen1", "seen-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/s?marker=seen1", "seen1", "seen-password-1")).Status);
        var sessionId = await SessionIdAsync(browser);
        await using var db = Open(connectionString);
        var created = (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId)).LastSeenAtUnix;

        // Past the session cache: these requests authenticate the cookie again, which only notes the session in memory.
        time.Advance(SessionCache.MaxAge + TimeSpan.FromSeconds(1));
        var usedAt = time.GetUtcNow().ToUnixTimeSeconds();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/s?marker=seen-{i}")).Status);
        }

        Assert.Equal(created, (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId)).LastSeenAtUnix);

        var activity = h.Server.Services.GetRequiredService<SessionActivity>();
        var flushed = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        activity.Flushed += n => flushed.TrySetResult(n);
        time.Advance(SessionActivity.FlushInterval - SessionCache.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Equal(1, await flushed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(usedAt, (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId)).LastSeenAtUnix);

        // After the cookie's lifetime the next flush deletes the row.
        var pruned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        activity.Flushed += _ => pruned.TrySetResult();
        time.Advance(TimeSpan.FromHours(8));
        await pruned.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == sessionId));
    }

    [PostgresFact]
    public async Task DisableUser_FromAnotherProcess_MarksTheRecordedSessionsRevokedAndRefusesTheCookie()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await StartAsync(database.ConnectionString, time);
        await h.AddUserAsync("pgoff1", "pgoff-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/o?marker=pgoff1", "pgoff1", "pgoff-password-1")).Status);
        var sessionId = await SessionIdAsync(browser);

        // What `vigil users disable` does: its own context on the same database.
        await using (var db = Open(database.ConnectionString))
        {
            Assert.True(await new UserService(db, time).SetDisabledAsync("pgoff1", true));
            var row = await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sessionId);
            Assert.NotNull(row.RevokedAtUnix);
            Assert.Equal("user_disabled", row.RevokedReason);
        }

        var refreshed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.Services.GetRequiredService<SessionRevocations>().Refreshed += () => refreshed.TrySetResult();
        time.Advance(SessionRevocations.RefreshInterval);
        await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var client = h.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/o?marker=pgoff2");
        request.Headers.Add("Cookie", "__vigil_session=" + browser.CookieValue(h.BaseUrl, "__vigil_session"));
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=pgoff2", StringComparison.Ordinal));
    }
}
