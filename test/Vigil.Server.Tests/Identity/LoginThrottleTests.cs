using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;

namespace Vigil.Server.Tests.Identity;

public sealed class LoginThrottleTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _logPath = Path.Combine(Path.GetTempPath(), "vigil-throttle-" + Guid.NewGuid().ToString("N")[..8] + ".log");
    private readonly DecisionLog _log;
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests()
    {
        _log = new DecisionLog(_logPath, NullLogger<DecisionLog>.Instance);
        _log.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _throttle = new LoginThrottle(new LockoutConfig { MaxFailuresPerAccount = 3, MaxFailuresPerIp = 5, Window = TimeSpan.FromMinutes(10), Ban = TimeSpan.FromMinutes(1), MaxBan = TimeSpan.FromMinutes(3) }, _time, _log, NullLogger<LoginThrottle>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        File.Delete(_logPath);
    }

    private void Fail(string account, string ip, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _throttle.RecordFailure(account, ip);
        }
    }

    [Fact]
    public void RecordFailure_BelowLimit_DoesNotBan()
    {
        Fail("alice", "192.0.2.1", 2);
        Assert.False(_throttle.IsBanned("alice", "192.0.2.1", out _));
    }

    [Fact]
    public void RecordFailure_AtAccountLimit_BansTheAccountFromAnyAddress()
    {
        Fail("alice", "192.0.2.1", 3);
        Assert.True(_throttle.IsBanned("ALICE", "198.51.100.9", out var remaining));
        Assert.Equal(TimeSpan.FromMinutes(1), remaining);
    }

    [Fact]
    public void Ban_AfterItsDuration_IsLiftedAndLogged()
    {
        Fail("alice", "192.0.2.1", 3);
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(_throttle.IsBanned("alice", "192.0.2.1", out _));
    }

    [Fact]
    public void RepeatedBans_BackOffExponentiallyUpToTheMaximum()
    {
        var durations = new List<TimeSpan>();
        for (var round = 0; round < 4; round++)
        {
            Fail("bob", "192.0.2.2", 3);
            Assert.True(_throttle.IsBanned("bob", "192.0.2.50", out var remaining));
            durations.Add(remaining);
            _time.Advance(remaining + TimeSpan.FromSeconds(1));
        }

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3)], durations);
    }

    [Fact]
    public void RecordFailure_SprayAcrossAccounts_BansTheAddress()
    {
        foreach (var account in new[] { "a", "b", "c", "d", "e" })
        {
            _throttle.RecordFailure(account, "203.0.113.5");
        }

        Assert.True(_throttle.IsBanned("someone-else", "203.0.113.5", out _));
        Assert.False(_throttle.IsBanned("someone-else", "203.0.113.6", out _));
    }

    [Fact]
    public void Failures_OutsideTheWindow_AreForgotten()
    {
        Fail("carol", "192.0.2.3", 2);
        _time.Advance(TimeSpan.FromMinutes(11));
        Fail("carol", "192.0.2.3", 2);
        Assert.False(_throttle.IsBanned("carol", "192.0.2.3", out _));
    }

    [Fact]
    public async Task BanAndLift_AreRecordedInTheDecisionLog()
    {
        Fail("dave", "192.0.2.4", 3);
        _time.Advance(TimeSpan.FromMinutes(2));
        _throttle.IsBanned("dave", "192.0.2.4", out _);
        await _log.FlushAsync(TimeSpan.FromSeconds(10));
        var text = await File.ReadAllTextAsync(_logPath);
        Assert.Contains("\"decision\":\"ban\"", text, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"unban\"", text, StringComparison.Ordinal);
        Assert.Contains("account:dave", text, StringComparison.Ordinal);
    }
}
