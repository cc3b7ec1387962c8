using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Identity;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Identity;

/// <summary>TOTP and recovery codes on a SQLite store: single use, also when several connections race.</summary>
public sealed class SecondFactorTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.SqliteAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task VerifySecondFactor_SameTotpCodeTwice_IsRefusedTheSecondTime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var db = _store.NewContext();
        var users = new UserService(db, time);
        var secret = UserService.NewTotpSecret();
        var user = await users.AddAsync("mallory", "mallory-password-1", null, null, [], [], mfaRequired: true);
        await users.EnrollTotpAsync(user, secret, 0);

        var code = VigilHarness.Totp(secret, time.GetUtcNow());
        Assert.True(await users.VerifySecondFactorAsync(user, code));
        Assert.False(await users.VerifySecondFactorAsync(user, code));

        // The step is stored, not only remembered by this entity: a fresh read refuses it too.
        await using var other = _store.NewContext();
        var fresh = (await new UserService(other, time).FindAsync("mallory"))!;
        Assert.Equal(user.TotpLastStep, fresh.TotpLastStep);
        Assert.False(await new UserService(other, time).VerifySecondFactorAsync(fresh, code));
    }

    [Fact]
    public Task TotpAndRecoveryCodes_UsedOnSeveralNodesAtOnce_AreAcceptedOnce() =>
        SharedLoginStateScenarios.TotpCodeUsedOnSeveralNodesAtOnce_IsAcceptedOnceAsync(_store);

    [Fact]
    public async Task VerifySecondFactor_StoreUnreachable_IsRefused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var unreachable = TestStore.Unreachable();
        var secret = UserService.NewTotpSecret();
        var user = new UserEntity { Id = "u1", UserName = "nina", TotpSecret = secret, RecoveryCodes = "00" };
        var users = new UserService(unreachable, time);
        Assert.False(await users.VerifySecondFactorAsync(user, VigilHarness.Totp(secret, time.GetUtcNow())).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, user.TotpLastStep);
    }
}
