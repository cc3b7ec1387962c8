using System.Net;
using Vigil.Server.Identity;
using Vigil.Server.Tests.Identity;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>
/// Login state shared by nodes on one PostgreSQL store: WebAuthn challenges, failed logins and bans, TOTP and
/// recovery codes. Service-level races (several connections at once, fake clock) and two real Vigil nodes behind one
/// public URL, as behind a load balancer without sticky sessions.
/// </summary>
public sealed class PostgresSharedLoginStateTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private async Task<TestStore> FreshStoreAsync() => await TestStore.PostgresAsync(await database.CreateDatabaseAsync());

    [PostgresFact]
    public async Task Throttle_FailuresOnTwoNodes_AddUpToABanSeenByBoth()
    {
        await using var store = await FreshStoreAsync();
        await SharedLoginStateScenarios.ThrottleFailuresOnTwoNodesAddUpToABanSeenByBothAsync(store);
    }

    [PostgresFact]
    public async Task Throttle_NodesCrossingTheLimitTogether_RecordTheBanOnce()
    {
        await using var store = await FreshStoreAsync();
        await SharedLoginStateScenarios.ThrottleNodesCrossingTheLimitTogether_BanIsRecordedOnceAsync(store);
    }

    [PostgresFact]
    public async Task Challenge_PutOnOneNode_IsTakenOnTheOtherOnce()
    {
        await using var store = await FreshStoreAsync();
        await SharedLoginStateScenarios.ChallengePutOnOneNode_IsTakenOnTheOtherOnceAsync(store);
    }

    [PostgresFact]
    public async Task Challenge_TakenConcurrently_ExactlyOneGetsIt()
    {
        await using var store = await FreshStoreAsync();
        await SharedLoginStateScenarios.ChallengeTakenConcurrently_ExactlyOneGetsItAsync(store);
    }

    [PostgresFact]
    public async Task TotpAndRecoveryCodes_UsedOnSeveralNodesAtOnce_AreAcceptedOnce()
    {
        await using var store = await FreshStoreAsync();
        await SharedLoginStateScenarios.TotpCodeUsedOnSeveralNodesAtOnce_IsAcceptedOnceAsync(store);
    }

    private static async Task<(VigilHarness A, VigilHarness B)> StartNodesAsync(string connectionString, string lockout)
    {
        var shared = Directory.CreateTempSubdirectory("vigil-shared-").FullName;
        var storage = PostgresTestDatabase.StorageYaml(connectionString, shared);
        var a = await VigilHarness.StartAsync(new HarnessOptions { StorageYaml = storage, SharedDataDir = shared, SeedAlice = false, PublicHost = "localhost", Lockout = lockout });
        try
        {
            var b = await VigilHarness.StartAsync(new HarnessOptions { StorageYaml = storage, SharedDataDir = shared, PublicUrl = a.BaseUrl, PublicHost = "localhost", SeedAlice = false, Lockout = lockout });
            return (a, b);
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
    }

    /// <summary>The same page as if the load balancer had sent the next request to <paramref name="node"/>.</summary>
    private static BrowserClient.Page On(VigilHarness node, BrowserClient.Page page) => page with { Url = new Uri(node.BaseUrl, page.Url.PathAndQuery) };

    [PostgresFact]
    public async Task SecurityKey_OptionsFromNodeA_AssertionPostedToNodeB_SignsIn()
    {
        var (a, b) = await StartNodesAsync(await database.CreateDatabaseAsync(), "{ max_failures_per_account: 50, max_failures_per_ip: 1000, window: 15m, ban: 1m, max_ban: 1h }");
        await using (a)
        await using (b)
        {
            var origin = a.BaseUrl.GetLeftPart(UriPartial.Authority);
            await a.AddUserAsync("twokey", "twokey-password", ["engineer"], [], mfaRequired: true);
            using var key = new SoftAuthenticator();

            // Enrolment: options from A, the new credential posted to B.
            using (var browser = a.Browser())
            {
                var enroll = await browser.LoginAsync("/dashboard", "twokey", "twokey-password");
                var options = await browser.SubmitAsync(enroll, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
                Assert.Equal(HttpStatusCode.OK, options.Status);
                var codes = await browser.SubmitAsync(On(b, enroll), IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = key.Register(options.Html, origin), ["name"] = "two-node key" });
                Assert.Contains("id=\"recovery-codes\"", codes.Html, StringComparison.Ordinal);
            }

            // Sign-in: options from B, the assertion posted to A.
            using (var browser = a.Browser())
            {
                var mfa = await browser.LoginAsync("/dashboard", "twokey", "twokey-password");
                var options = await browser.SubmitAsync(On(b, mfa), IdpEndpoints.WebAuthnMfaPath + "/options", []);
                Assert.Equal(HttpStatusCode.OK, options.Status);
                var assertion = key.Assert(options.Html, origin);
                var page = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath, new() { ["credential"] = assertion });
                Assert.Equal("/dashboard", page.Url.AbsolutePath);
            }

            var log = (await a.ReadLogAsync()).Concat(await b.ReadLogAsync()).ToList();
            Assert.Contains(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("reason").GetString()!.StartsWith("password+webauthn", StringComparison.Ordinal));
            Assert.DoesNotContain(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("reason").GetString() == "webauthn_no_challenge");
        }
    }

    [PostgresFact]
    public async Task Lockout_FailuresSpreadOverTwoNodes_BanTheAccountOnBoth()
    {
        var (a, b) = await StartNodesAsync(await database.CreateDatabaseAsync(), "{ max_failures_per_account: 4, max_failures_per_ip: 1000, window: 15m, ban: 5m, max_ban: 1h }");
        await using (a)
        await using (b)
        {
            await a.AddUserAsync("twoban", "twoban-password", ["engineer"], []);
            // The login page is served by A (the gateway sends browsers to the public URL); the POST lands on either node.
            async Task<BrowserClient.Page> PostLoginAsync(VigilHarness node, string password)
            {
                using var browser = a.Browser();
                var login = await browser.GetAsync("/dashboard");
                Assert.True(login.IsLoginPage);
                return await browser.SubmitAsync(On(node, login), IdpEndpoints.LoginPath, new() { ["username"] = "twoban", ["password"] = password });
            }

            for (var i = 0; i < 4; i++)
            {
                var page = await PostLoginAsync(i % 2 == 0 ? a : b, "wrong-password-" + i);
                Assert.True(page.IsLoginPage && page.Url.Query.Contains("error=1", StringComparison.Ordinal), page.Url.ToString());
            }

            // Four failures in all (two per node) reach the limit of four: the right password is refused on both.
            foreach (var node in new[] { a, b })
            {
                var page = await PostLoginAsync(node, "twoban-password");
                Assert.True(page.IsLoginPage && page.Url.Query.Contains("error=1", StringComparison.Ordinal), $"{node.BaseUrl}: {page.Url}");
            }

            var log = (await a.ReadLogAsync()).Concat(await b.ReadLogAsync()).ToList();
            Assert.Equal(2, log.Count(e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("reason").GetString() == "banned"));
            var bans = log
                .Where(e => e.GetProperty("kind").GetString() == "ban" && e.GetProperty("decision").GetString() == "ban").ToList();
            Assert.Single(bans);
            Assert.Equal("account:twoban", bans[0].GetProperty("subject").GetString());
        }
    }

    /// <summary>Cuts the node off its database (new connections refused, open ones terminated), or lets it back.</summary>
    private static async Task SetDatabaseReachableAsync(string connectionString, bool reachable)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
        var server = PostgresTestDatabase.ServerConnectionString!;
        await PostgresTestDatabase.ScalarAsync(server, $"ALTER DATABASE {name} ALLOW_CONNECTIONS {(reachable ? "true" : "false")}");
        if (!reachable)
        {
            await PostgresTestDatabase.ScalarAsync(server, $"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'");
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    [PostgresFact]
    public async Task StoreUnreachable_PasswordAndTotpPosts_AreRefusedWithTheNeutralError()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var shared = Directory.CreateTempSubdirectory("vigil-outage-").FullName;
        await using var node = await VigilHarness.StartAsync(new HarnessOptions { StorageYaml = PostgresTestDatabase.StorageYaml(connectionString, shared), SeedAlice = false });
        var secret = (await node.AddUserAsync("outage", "outage-password", ["engineer"], [], totp: true))!;
        using var browser = node.Browser();
        try
        {
            // Password step while the store is gone: the neutral error, no error page.
            var login = await browser.GetAsync("/dashboard");
            Assert.True(login.IsLoginPage);
            await SetDatabaseReachableAsync(connectionString, reachable: false);
            var refused = await browser.SubmitAsync(login, IdpEndpoints.LoginPath, new() { ["username"] = "outage", ["password"] = "outage-password" });
            Assert.Equal(HttpStatusCode.OK, refused.Status);
            Assert.True(refused.IsLoginPage && refused.Url.Query.Contains("error=1", StringComparison.Ordinal), refused.Url.ToString());

            // Second step while the store is gone: a valid TOTP code is refused too (its use cannot be recorded).
            await SetDatabaseReachableAsync(connectionString, reachable: true);
            var mfa = await browser.SubmitAsync(login, IdpEndpoints.LoginPath, new() { ["username"] = "outage", ["password"] = "outage-password" });
            Assert.True(mfa.IsMfaPage, mfa.Url.ToString());
            await SetDatabaseReachableAsync(connectionString, reachable: false);
            var code = VigilHarness.Totp(secret, DateTimeOffset.UtcNow);
            var second = await browser.SubmitAsync(mfa, IdpEndpoints.MfaPath, new() { ["code"] = code });
            Assert.Equal(HttpStatusCode.OK, second.Status);
            Assert.True((second.IsLoginPage || second.IsMfaPage) && second.Url.Query.Contains("error=1", StringComparison.Ordinal), second.Url.ToString());
            Assert.Null(browser.CookieValue(node.BaseUrl, "__vigil_session"));

            // Back online, the same code still works once: nothing was recorded while the store was gone.
            await SetDatabaseReachableAsync(connectionString, reachable: true);
            var mfaAgain = await browser.SubmitAsync(login, IdpEndpoints.LoginPath, new() { ["username"] = "outage", ["password"] = "outage-password" });
            Assert.True(mfaAgain.IsMfaPage, mfaAgain.Url.ToString());
            var done = await browser.SubmitAsync(mfaAgain, IdpEndpoints.MfaPath, new() { ["code"] = code });
            Assert.False(done.IsLoginPage || done.IsMfaPage, done.Url.ToString());
        }
        finally
        {
            await SetDatabaseReachableAsync(connectionString, reachable: true);
        }
    }
}
