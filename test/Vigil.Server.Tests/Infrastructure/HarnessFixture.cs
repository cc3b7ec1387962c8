namespace Vigil.Server.Tests.Infrastructure;

/// <summary>One Vigil instance shared by the tests of a class (tests use their own users and clients).</summary>
public sealed class HarnessFixture : IAsyncLifetime
{
    public VigilHarness Harness { get; private set; } = null!;

    public async Task InitializeAsync() => Harness = await VigilHarness.StartAsync();

    public async Task DisposeAsync() => await Harness.DisposeAsync();
}
