using CsCheck;

namespace Vigil.Server.Tests.Infrastructure;

public sealed class PropertyRunTests
{
    [Fact]
    public void Sample_SameSeed_SameCases_AndAFailureIsShrunkWithAReplayableSeed()
    {
        var gen = Gen.Int[0, 1_000_000];
        var first = new List<int>();
        var second = new List<int>();
        PropertyRun.Sample(gen, first.Add, seed: 7, count: 200, longCount: 200);
        PropertyRun.Sample(gen, second.Add, seed: 7, count: 200, longCount: 200);
        if (PropertyRun.Long)
        {
            return; // random seeds: nothing to compare
        }

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 150);

        // The first case of the run, replayed from its seed by CsCheck itself.
        var replayed = 0;
        Check.Sample(gen, i => replayed = i, seed: PropertyRun.CaseSeed(7, 0), iter: 1, threads: 1);
        Assert.Equal(first[0], replayed);

        var failure = Assert.Throws<CsCheckException>(() => PropertyRun.Sample(gen, i => Assert.True(i < 1000), seed: 7, count: 200, longCount: 200));
        Assert.Contains("Set seed", failure.Message, StringComparison.Ordinal);
        var shrunk = int.Parse(failure.Message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shrunk, 1000, first.First(i => i >= 1000)); // no larger than the first failing case of the run
    }
}
