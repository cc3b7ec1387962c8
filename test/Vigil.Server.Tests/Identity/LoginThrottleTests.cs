using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Identity;

/// <summary>The throttle on a SQLite store (the single-node default); the shared scenarios run here and on PostgreSQL.</summary>
public sealed class LoginThrottleTests : IAsyncLifetime
{
    private static readonly LockoutConfig Config = new() { MaxFailuresPerAccount = 3, MaxFailuresPerIp = 5, Window = TimeSpan.FromMinutes(10), Ban = TimeSpan.FromMinutes(1), MaxBan = TimeSpan.FromMinutes(3) };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _logPath = Path.Combine(Path.GetTempPath(), "vigil-throttle-" + Guid.NewGuid().ToString("N")[..8] + ".log");
    private readonly DecisionLog _log;
    private TestStore _store = null!;
    private VigilDbContext _db = null!;
    private LoginThrottle _throttle = null!;

    public LoginThrottleTests()
    {
        _log = new DecisionLog(_logPath, NullLogger<DecisionLog>.Instance);
    }

    public async Task InitializeAsync()
    {
        await _log.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        _store = await TestStore.SqliteAsync();
        _db = _store.NewContext();
        _throttle = new LoginThrottle(_db, Config, _time, _log, NullLogger<LoginThrottle>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await _db.DisposeAsync();
        await _store.DisposeAsync();
        File.Delete(_logPath);
    }

    private async Task Fail(string account, string ip, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await _throttle.RecordFailureAsync(account, ip);
        }
    }

    [Fact]
    public async Task RecordFailure_BelowLimit_DoesNotBan()
    {
        await Fail("alice", "192.0.2.1", 2);
        Assert.False(await _throttle.IsBannedAsync("alice", "192.0.2.1"));
    }

    [Fact]
    public async Task RecordFailure_AtAccountLimit_BansTheAccountFromAnyAddress()
    {
        await Fail("alice", "192.0.2.1", 3);
        Assert.Equal(new BanCheck(true, TimeSpan.FromMinutes(1)), await _throttle.CheckAsync("ALICE", "198.51.100.9"));
    }

    [Fact]
    public async Task Ban_AfterItsDuration_IsLiftedAndLogged()
    {
        await Fail("alice", "192.0.2.1", 3);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(await _throttle.IsBannedAsync("alice", "192.0.2.1"));
    }

    [Fact]
    public async Task RepeatedBans_BackOffExponentiallyUpToTheMaximum()
    {
        var durations = new List<TimeSpan>();
        for (var round = 0; round < 4; round++)
        {
            await Fail("bob", "192.0.2.2", 3);
            var check = await _throttle.CheckAsync("bob", "192.0.2.50");
            Assert.True(check.Banned);
            durations.Add(check.Remaining);
            _time.Advance(check.Remaining + TimeSpan.FromSeconds(1));
        }

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3)], durations);
    }

    [Fact]
    public async Task RecordFailure_SprayAcrossAccounts_BansTheAddress()
    {
        foreach (var account in new[] { "a", "b", "c", "d", "e" })
        {
            await _throttle.RecordFailureAsync(account, "203.0.113.5");
        }

        Assert.True(await _throttle.IsBannedAsync("someone-else", "203.0.113.5"));
        Assert.False(await _throttle.IsBannedAsync("someone-else", "203.0.113.6"));
    }

    [Fact]
    public async Task Failures_OutsideTheWindow_AreForgotten()
    {
        await Fail("carol", "192.0.2.3", 2);
        _time.Advance(TimeSpan.FromMinutes(11));
        await Fail("carol", "192.0.2.3", 2);
        Assert.False(await _throttle.IsBannedAsync("carol", "192.0.2.3"));
    }

    [Fact]
    public async Task BanAndLift_AreRecordedInTheDecisionLog()
    {
        await Fail("dave", "192.0.2.4", 3);
        _time.Advance(TimeSpan.FromMinutes(2));
        await _throttle.IsBannedAsync("dave", "192.0.2.4");
        await _log.FlushAsync(TimeSpan.FromSeconds(10));
        var text = await File.ReadAllTextAsync(_logPath);
        Assert.Contains("\"decision\":\"ban\"", text, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"unban\"", text, StringComparison.Ordinal);
        Assert.Contains("account:dave", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordSuccess_ClearsTheAccountsFailures_NotTheAddresses()
    {
        await Fail("erin", "192.0.2.5", 2);
        await _throttle.RecordSuccessAsync("Erin");
        await Fail("erin", "192.0.2.5", 2);
        Assert.False(await _throttle.IsBannedAsync("erin", "192.0.2.99"));
        await Fail("other", "192.0.2.5", 1);
        Assert.True(await _throttle.IsBannedAsync("nobody", "192.0.2.5"));
    }

    [Fact]
    public async Task FailureRows_OutsideTheWindow_ArePruned_AndForgivenBanRowsToo()
    {
        await Fail("heidi", "192.0.2.6", 3);
        await Fail("ivan", "192.0.2.7", 2);
        Assert.Equal(1, await _db.LoginBans.CountAsync());

        // Long after the window and the maximum ban, any failure prunes what no longer counts.
        _time.Advance(Config.MaxBan + Config.Window + TimeSpan.FromMinutes(1));
        await _throttle.RecordFailureAsync("judy", "192.0.2.8");
        Assert.Equal(["account:judy", "ip:192.0.2.8"], (await _db.LoginFailures.Select(f => f.Key).ToListAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(0, await _db.LoginBans.CountAsync(b => b.Key == "account:heidi"));
    }

    [Fact]
    public async Task HostileUserName_IsCountedUnderABoundedKey()
    {
        var name = new string('x', 100_000);
        await Fail(name, "192.0.2.9", 3);
        Assert.True(await _throttle.IsBannedAsync(name, "198.51.100.1"));
        Assert.All(await _db.LoginFailures.Select(f => f.Key).ToListAsync(), k => Assert.True(k.Length <= 200, k));
    }

    [Fact]
    public async Task Throttle_StoreUnreachable_RefusesTheAttempt_AndDoesNotThrow()
    {
        await using var unreachable = TestStore.Unreachable();
        var throttle = new LoginThrottle(unreachable, Config, _time, _log, NullLogger<LoginThrottle>.Instance);
        Assert.True(await throttle.IsBannedAsync("kate", "192.0.2.10").WaitAsync(TimeSpan.FromSeconds(30)));
        await throttle.RecordFailureAsync("kate", "192.0.2.10").WaitAsync(TimeSpan.FromSeconds(30));
        await throttle.RecordSuccessAsync("kate").WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public Task FailuresOnTwoNodes_AddUpToABanSeenByBoth() =>
        SharedLoginStateScenarios.ThrottleFailuresOnTwoNodesAddUpToABanSeenByBothAsync(_store);

    [Fact]
    public Task NodesCrossingTheLimitTogether_RecordTheBanOnce() =>
        SharedLoginStateScenarios.ThrottleNodesCrossingTheLimitTogether_BanIsRecordedOnceAsync(_store);
}
