using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Sessions;

namespace Vigil.Server.Tests.Sessions;

/// <summary>What a bus message can do to a node's view of revocations: only add, never past the node's own clock.</summary>
public sealed class SessionRevocationsBusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly SessionRevocations _revocations;

    public SessionRevocationsBusTests()
    {
        var scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
        _revocations = new SessionRevocations(scopes, _time, NullLogger<SessionRevocations>.Instance);
    }

    private static Subject User(string id, DateTimeOffset authTime, string? sid = null) => new() { Id = id, Type = "user", AuthTime = authTime, SessionId = sid ?? "s-" + id };

    private long Unix(TimeSpan offset) => (Now + offset).ToUnixTimeSeconds();

    [Fact]
    public void ApplyFromBus_UserRevocation_RevokesSessionsAuthenticatedUpToThen()
    {
        Assert.True(_revocations.ApplyFromBus(RevocationMessage.ForUser("u1", Unix(TimeSpan.Zero)), out _));
        Assert.True(_revocations.IsRevoked(User("u1", Now.AddMinutes(-5))));
        Assert.False(_revocations.IsRevoked(User("u1", Now.AddSeconds(1))));
        Assert.False(_revocations.IsRevoked(User("u2", Now.AddMinutes(-5))));
    }

    [Fact]
    public void ApplyFromBus_UserRevocationFromTheFuture_DoesNotLockOutLaterLogins()
    {
        Assert.True(_revocations.ApplyFromBus(RevocationMessage.ForUser("u1", Unix(TimeSpan.FromDays(30))), out _));
        Assert.True(_revocations.IsRevoked(User("u1", Now.AddSeconds(-1))));
        Assert.False(_revocations.IsRevoked(User("u1", Now.AddSeconds(1))));
    }

    [Fact]
    public void ApplyFromBus_OlderUserRevocation_DoesNotMoveTheTimeBack()
    {
        _revocations.ApplyFromBus(RevocationMessage.ForUser("u1", Unix(TimeSpan.Zero)), out _);
        _revocations.ApplyFromBus(RevocationMessage.ForUser("u1", 1_000_000_000), out _);
        Assert.True(_revocations.IsRevoked(User("u1", Now.AddMinutes(-1))));
    }

    [Fact]
    public void ApplyFromBus_SessionRevocation_LastsUntilItsExpiryOnly()
    {
        Assert.True(_revocations.ApplyFromBus(RevocationMessage.ForSession("s1", Unix(TimeSpan.Zero), Unix(TimeSpan.FromHours(1))), out _));
        Assert.True(_revocations.IsSessionRevoked("s1"));

        // A second message with an earlier expiry cannot shorten it, and an expired one is refused outright.
        _revocations.ApplyFromBus(RevocationMessage.ForSession("s1", Unix(TimeSpan.Zero), Unix(TimeSpan.FromMinutes(1))), out _);
        Assert.False(_revocations.ApplyFromBus(RevocationMessage.ForSession("s2", Unix(TimeSpan.Zero), Unix(TimeSpan.FromSeconds(-1))), out var reason));
        Assert.Contains("expired", reason, StringComparison.Ordinal);
        Assert.False(_revocations.IsSessionRevoked("s2"));
        Assert.True(_revocations.IsSessionRevoked("s1"));
    }

    [Fact]
    public void ApplyFromBus_Flood_IsBoundedAndKeepsWhatItHas()
    {
        for (var i = 0; i < SessionRevocations.MaxAnnounced; i++)
        {
            Assert.True(_revocations.ApplyFromBus(RevocationMessage.ForUser("flood" + i, Unix(TimeSpan.Zero)), out _));
        }

        Assert.False(_revocations.ApplyFromBus(RevocationMessage.ForUser("one-too-many", Unix(TimeSpan.Zero)), out var reason));
        Assert.Contains("waiting for the store", reason, StringComparison.Ordinal);
        Assert.True(_revocations.IsRevoked(User("flood0", Now.AddMinutes(-1))));

        // A revocation already held can still move forward.
        Assert.True(_revocations.ApplyFromBus(RevocationMessage.ForUser("flood0", Unix(TimeSpan.Zero)), out _));
    }

    [Fact]
    public void ApplyFromBus_Probe_IsNotARevocation()
    {
        Assert.False(_revocations.ApplyFromBus(RevocationMessage.ForProbe("node", Unix(TimeSpan.Zero)), out var reason));
        Assert.Equal("not a revocation", reason);
    }
}
