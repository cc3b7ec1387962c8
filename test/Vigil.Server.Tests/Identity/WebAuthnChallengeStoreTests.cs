using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Identity.WebAuthn;

namespace Vigil.Server.Tests.Identity;

public sealed class WebAuthnChallengeStoreTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    [Fact]
    public void Take_AfterPut_ReturnsOptionsOnlyOnce()
    {
        var store = new WebAuthnChallengeStore(new FakeTimeProvider(), Lifetime);
        Assert.True(store.TryPut("attempt:1", WebAuthnCeremony.Assertion, "u1", "{\"challenge\":\"a\"}"));

        Assert.Equal("{\"challenge\":\"a\"}", store.Take("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(store.Take("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Take_JustBeforeExpiry_Succeeds_AndAtExpiry_ReturnsNull()
    {
        var time = new FakeTimeProvider();
        var store = new WebAuthnChallengeStore(time, Lifetime);
        store.TryPut("a", WebAuthnCeremony.Assertion, "u1", "early");
        store.TryPut("b", WebAuthnCeremony.Assertion, "u1", "late");

        time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal("early", store.Take("a", WebAuthnCeremony.Assertion, "u1"));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Take("b", WebAuthnCeremony.Assertion, "u1"));
    }

    [Fact]
    public void Take_OtherUserOrCeremonyOrBinding_ReturnsNull_AndConsumesTheChallenge()
    {
        var store = new WebAuthnChallengeStore(new FakeTimeProvider(), Lifetime);
        store.TryPut("attempt:1", WebAuthnCeremony.Assertion, "u1", "x");
        Assert.Null(store.Take("attempt:2", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(store.Take("attempt:1", WebAuthnCeremony.Assertion, "u2"));
        Assert.Null(store.Take("attempt:1", WebAuthnCeremony.Assertion, "u1"));

        store.TryPut("attempt:1", WebAuthnCeremony.Registration, "u1", "y");
        Assert.Null(store.Take("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(store.Take("attempt:1", WebAuthnCeremony.Registration, "u1"));
    }

    [Fact]
    public void TryPut_SameBinding_ReplacesTheEarlierChallenge()
    {
        var store = new WebAuthnChallengeStore(new FakeTimeProvider(), Lifetime);
        store.TryPut("attempt:1", WebAuthnCeremony.Assertion, "u1", "first");
        store.TryPut("attempt:1", WebAuthnCeremony.Assertion, "u1", "second");

        Assert.Equal(1, store.Count);
        Assert.Equal("second", store.Take("attempt:1", WebAuthnCeremony.Assertion, "u1"));
    }

    [Fact]
    public void TryPut_WhenFull_RefusesUntilChallengesExpire()
    {
        var time = new FakeTimeProvider();
        var store = new WebAuthnChallengeStore(time, Lifetime, capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(store.TryPut($"b{i}", WebAuthnCeremony.Assertion, "u", "o"));
        }

        Assert.False(store.TryPut("b3", WebAuthnCeremony.Assertion, "u", "o"));
        Assert.True(store.TryPut("b0", WebAuthnCeremony.Assertion, "u", "renewed"));

        time.Advance(Lifetime);
        Assert.True(store.TryPut("b3", WebAuthnCeremony.Assertion, "u", "o"));
        Assert.Equal(1, store.Count);
    }
}
