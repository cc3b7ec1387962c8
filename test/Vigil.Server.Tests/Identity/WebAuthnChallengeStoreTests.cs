using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Identity;

/// <summary>The challenge store on SQLite (the single-node default); the shared scenarios run here and on PostgreSQL.</summary>
public sealed class WebAuthnChallengeStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);
    private readonly List<VigilDbContext> _contexts = [];
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.SqliteAsync();

    public async Task DisposeAsync()
    {
        foreach (var db in _contexts)
        {
            await db.DisposeAsync();
        }

        await _store.DisposeAsync();
    }

    private WebAuthnChallengeStore Store(TimeProvider time, int capacity = WebAuthnChallengeStore.DefaultCapacity)
    {
        var db = _store.NewContext();
        _contexts.Add(db);
        return new WebAuthnChallengeStore(db, time, Lifetime, capacity);
    }

    [Fact]
    public async Task Take_AfterPut_ReturnsOptionsOnlyOnce()
    {
        var store = Store(new FakeTimeProvider());
        Assert.True(await store.TryPutAsync("attempt:1", WebAuthnCeremony.Assertion, "u1", "{\"challenge\":\"a\"}"));

        Assert.Equal("{\"challenge\":\"a\"}", await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Equal(0, await store.CountAsync());
    }

    [Fact]
    public async Task Take_JustBeforeExpiry_Succeeds_AndAtExpiry_ReturnsNull()
    {
        var time = new FakeTimeProvider();
        var store = Store(time);
        await store.TryPutAsync("a", WebAuthnCeremony.Assertion, "u1", "early");
        await store.TryPutAsync("b", WebAuthnCeremony.Assertion, "u1", "late");

        time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal("early", await store.TakeAsync("a", WebAuthnCeremony.Assertion, "u1"));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await store.TakeAsync("b", WebAuthnCeremony.Assertion, "u1"));
    }

    [Fact]
    public async Task Take_OtherUserOrCeremonyOrBinding_ReturnsNull_AndConsumesTheChallenge()
    {
        var store = Store(new FakeTimeProvider());
        await store.TryPutAsync("attempt:1", WebAuthnCeremony.Assertion, "u1", "x");
        Assert.Null(await store.TakeAsync("attempt:2", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u2"));
        Assert.Null(await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u1"));

        await store.TryPutAsync("attempt:1", WebAuthnCeremony.Registration, "u1", "y");
        Assert.Null(await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(await store.TakeAsync("attempt:1", WebAuthnCeremony.Registration, "u1"));
    }

    [Fact]
    public async Task TryPut_SameBinding_ReplacesTheEarlierChallenge()
    {
        var store = Store(new FakeTimeProvider());
        await store.TryPutAsync("attempt:1", WebAuthnCeremony.Assertion, "u1", "first");
        await store.TryPutAsync("attempt:1", WebAuthnCeremony.Assertion, "u1", "second");

        Assert.Equal(1, await store.CountAsync());
        Assert.Equal("second", await store.TakeAsync("attempt:1", WebAuthnCeremony.Assertion, "u1"));
    }

    [Fact]
    public async Task TryPut_WhenFull_RefusesUntilChallengesExpire()
    {
        var time = new FakeTimeProvider();
        var store = Store(time, capacity: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await store.TryPutAsync($"b{i}", WebAuthnCeremony.Assertion, "u", "o"));
        }

        Assert.False(await store.TryPutAsync("b3", WebAuthnCeremony.Assertion, "u", "o"));
        Assert.True(await store.TryPutAsync("b0", WebAuthnCeremony.Assertion, "u", "renewed"));

        time.Advance(Lifetime);
        Assert.True(await store.TryPutAsync("b3", WebAuthnCeremony.Assertion, "u", "o"));
        Assert.Equal(1, await store.CountAsync());
    }

    [Fact]
    public async Task TryPut_PrunesABoundedBatchOfExpiredChallenges()
    {
        var time = new FakeTimeProvider();
        var store = Store(time);
        for (var i = 0; i < WebAuthnChallengeStore.PruneBatch + 5; i++)
        {
            await store.TryPutAsync($"old{i}", WebAuthnCeremony.Assertion, "u", "o");
        }

        time.Advance(Lifetime);
        await store.TryPutAsync("new", WebAuthnCeremony.Assertion, "u", "o");
        Assert.Equal(6, await store.CountAsync());
        await store.TryPutAsync("newer", WebAuthnCeremony.Assertion, "u", "o");
        Assert.Equal(2, await store.CountAsync());
    }

    [Fact]
    public async Task CompleteAssertion_StoreUnreachable_IsRefusedAsNoChallenge()
    {
        await using var unreachable = TestStore.Unreachable();
        var time = new FakeTimeProvider();
        var service = new WebAuthnService(unreachable, new WebAuthnRuntime(new Uri("https://vigil.example.test"), NullLogger<WebAuthnRuntime>.Instance),
            new WebAuthnChallengeStore(unreachable, time, Lifetime), time, NullLogger<WebAuthnService>.Instance);
        var user = new UserEntity { Id = "u1", UserName = "kate" };

        var result = await service.CompleteAssertionAsync(user, "attempt:1", "{}").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebAuthnOutcome.NoChallenge, result.Outcome);
        var registration = await service.CompleteRegistrationAsync(user, "attempt:1", "{}", "key").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(WebAuthnOutcome.NoChallenge, registration.Outcome);
    }

    [Fact]
    public Task ChallengePutOnOneNode_IsTakenOnTheOtherOnce() =>
        SharedLoginStateScenarios.ChallengePutOnOneNode_IsTakenOnTheOtherOnceAsync(_store);

    [Fact]
    public Task ChallengeTakenConcurrently_ExactlyOneGetsIt() =>
        SharedLoginStateScenarios.ChallengeTakenConcurrently_ExactlyOneGetsItAsync(_store);
}
