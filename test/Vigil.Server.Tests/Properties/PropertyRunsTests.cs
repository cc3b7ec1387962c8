using CsCheck;

namespace Vigil.Server.Tests.Properties;

public sealed class PropertyRunsTests
{
    [Fact]
    public void Sample_SameSeed_SameCases_AndAFailureIsShrunkWithAReplayableSeed()
    {
        var gen = Gen.Int[0, 1_000_000];
        var first = new List<int>();
        var second = new List<int>();
        PropertyRuns.Sample(gen, first.Add, seed: 7, count: 200, longCount: 200);
        PropertyRuns.Sample(gen, second.Add, seed: 7, count: 200, longCount: 200);
        if (PropertyRuns.Long)
        {
            return; // random seeds: nothing to compare
        }

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 150);

        // The first case of the run, replayed from its seed by CsCheck itself.
        var replayed = 0;
        Check.Sample(gen, i => replayed = i, seed: PropertyRuns.CaseSeed(7, 0), iter: 1, threads: 1);
        Assert.Equal(first[0], replayed);

        var failure = Assert.Throws<CsCheckException>(() => PropertyRuns.Sample(gen, i => Assert.True(i < 1000), seed: 7, count: 200, longCount: 200));
        Assert.Contains("Set seed", failure.Message, StringComparison.Ordinal);
        var shrunk = int.Parse(failure.Message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shrunk, 1000, first.First(i => i >= 1000)); // no larger than the first failing case of the run
    }
}
