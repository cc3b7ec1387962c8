using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Server.Configuration;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>Two Vigil nodes behind one public URL sharing one PostgreSQL database (real clock, real 2 s polling).</summary>
public sealed class PostgresRevocationPropagationTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    /// <summary>Completes at the second refresh that starts after this call (so it surely read what was written before).</summary>
    private static Task NextFullRefreshAsync(VigilHarness node)
    {
        var revocations = node.Server.Services.GetRequiredService<SessionRevocations>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        revocations.Refreshed += () =>
        {
            if (Interlocked.Increment(ref count) == 2)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }

    private async Task<(VigilHarness A, VigilHarness B)> StartNodesAsync(string shared)
    {
        var storage = PostgresTestDatabase.StorageYaml(database.ConnectionString, shared);
        var a = await VigilHarness.StartAsync(new HarnessOptions { StorageYaml = storage, SharedDataDir = shared, SeedAlice = false });
        try
        {
            var b = await VigilHarness.StartAsync(new HarnessOptions { StorageYaml = storage, SharedDataDir = shared, PublicUrl = a.BaseUrl, SeedAlice = false });
            return (a, b);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    [PostgresFact]
    public async Task Logout_OnNodeA_CookieIsRefusedByNodeBWithinThePollInterval()
    {
        var shared = Directory.CreateTempSubdirectory("vigil-shared-").FullName;
        var (a, b) = await StartNodesAsync(shared);
        await using (a)
        await using (b)
        {
            await a.AddUserAsync("twonode1", "twonode-password-1", ["engineer"], []);
            using var browser = a.Browser();
            Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/t?marker=tn1", "twonode1", "twonode-password-1")).Status);
            var cookie = browser.CookieValue(a.BaseUrl, "__vigil_session")!;

            // Node B accepts node A's cookie (shared keys, same store) and caches it.
            Assert.Equal(HttpStatusCode.OK, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(b, cookie, "/t?marker=tn2"));

            await browser.GetAsync("/.vigil/logout");
            var revokedAt = Stopwatch.StartNew();
            var refreshed = NextFullRefreshAsync(b);
            Assert.Equal(HttpStatusCode.Unauthorized, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(a, cookie, "/t?marker=tn3"));
            await refreshed.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Unauthorized, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(b, cookie, "/t?marker=tn4"));
            // Two polls at most, plus slack for a loaded machine.
            Assert.True(revokedAt.Elapsed < 2 * SessionRevocations.RefreshInterval + TimeSpan.FromSeconds(5), $"took {revokedAt.Elapsed}");
            Assert.DoesNotContain(b.Upstream.Received, r => r.RawTarget.Contains("marker=tn4", StringComparison.Ordinal));
        }
    }

    [PostgresFact]
    public async Task RevokeAllOfAUser_FromTheCli_IsRefusedByBothNodes()
    {
        var shared = Directory.CreateTempSubdirectory("vigil-shared-").FullName;
        var (a, b) = await StartNodesAsync(shared);
        await using (a)
        await using (b)
        {
            await a.AddUserAsync("twonode2", "twonode-password-2", ["engineer"], []);
            using var browser = a.Browser();
            Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/t?marker=tu1", "twonode2", "twonode-password-2")).Status);
            var cookie = browser.CookieValue(a.BaseUrl, "__vigil_session")!;
            Assert.Equal(HttpStatusCode.OK, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(b, cookie, "/t?marker=tu2"));

            // What `vigil sessions revoke --user twonode2` does, from its own process.
            var refreshedA = NextFullRefreshAsync(a);
            var refreshedB = NextFullRefreshAsync(b);
            await using (var db = new VigilDbContext(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = database.ConnectionString }, shared)))
            {
                var user = await new Vigil.Server.Identity.UserService(db, TimeProvider.System).FindAsync("twonode2");
                await new RevocationStore(db, TimeProvider.System).RevokeUserAsync(user!.Id, "admin:test");
            }

            await Task.WhenAll(refreshedA, refreshedB).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.Unauthorized, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(a, cookie, "/t?marker=tu3"));
            Assert.Equal(HttpStatusCode.Unauthorized, await Vigil.Server.Tests.Sessions.RedisBusTestNodes.ReplayAsync(b, cookie, "/t?marker=tu4"));
        }
    }
}
