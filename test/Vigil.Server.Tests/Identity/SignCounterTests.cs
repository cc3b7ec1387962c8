using Vigil.Server.Identity.WebAuthn;

namespace Vigil.Server.Tests.Identity;

public sealed class SignCounterTests
{
    [Theory]
    [InlineData(0L, 1u, "Increased")]
    [InlineData(41L, 42u, "Increased")]
    [InlineData(0L, 0u, "NotSupported")]
    [InlineData(42L, 42u, "Regressed")]
    [InlineData(42L, 7u, "Regressed")]
    [InlineData(42L, 0u, "Regressed")]
    [InlineData(4294967295L, 4294967295u, "Regressed")]
    public void Evaluate_StoredAndReceived_Classifies(long stored, uint received, string expected) =>
        Assert.Equal(Enum.Parse<SignCountCheck>(expected), SignCounter.Evaluate(stored, received));
}
