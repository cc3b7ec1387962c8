using CsCheck;

namespace Vigil.Server.Tests.Properties;

/// <summary>
/// How property tests run: a bounded run in CI, and a long one on demand with <c>VIGIL_LONG_PROPERTY_RUNS=1</c> (for
/// example <c>VIGIL_LONG_PROPERTY_RUNS=1 dotnet test --filter Properties</c>). <see cref="Sample{T}"/>
/// and <see cref="SampleAsync{T}"/> draw CI's cases from a fixed seed, the same cases on every run (a CI failure is
/// never luck, and a change cannot pass by drawing easier cases): CsCheck's
/// <c>seed</c> only replays one case, so each case is drawn from its own, and a failing case is handed to CsCheck with
/// that seed to be shrunk (the exception names the smallest failing case and its seed). The long run samples fresh
/// seeds as CsCheck does.
/// </summary>
internal static class PropertyRuns
{
    public static bool Long => Environment.GetEnvironmentVariable("VIGIL_LONG_PROPERTY_RUNS") == "1";

    /// <summary>The seed of case <paramref name="index"/> of the fixed run <paramref name="seed"/>, as CsCheck's <c>seed:</c> reads it.</summary>
    public static string CaseSeed(ulong seed, int index)
    {
        var master = new PCG(1, seed);
        for (var i = 0; i < index; i++)
        {
            master.Next64();
        }

        return new PCG(1, master.Next64()).ToString();
    }

    public static async Task SampleAsync<T>(Gen<T> gen, Func<T, Task> assert, ulong seed, int count, int longCount)
    {
        if (Long)
        {
            await Check.SampleAsync(gen, assert, iter: longCount, threads: 1);
            return;
        }

        var master = new PCG(1, seed);
        for (var i = 0; i < count; i++)
        {
            var pcg = new PCG(1, master.Next64());
            var replay = pcg.ToString(); // CsCheck's seed strings are the generator's state before the case
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await assert(value);
            }
            catch (Exception ex) when (ex is not CsCheckException)
            {
                // CsCheck's first iteration regenerates exactly this case from its seed, then shrinks it.
                await Check.SampleAsync(gen, assert, seed: replay, iter: 2_000, threads: 1);
                throw; // shrinking found the case passing after all (flaky): report it as it failed
            }
        }
    }

    public static void Sample<T>(Gen<T> gen, Action<T> assert, ulong seed, int count, int longCount)
    {
        if (Long)
        {
            Check.Sample(gen, assert, iter: longCount);
            return;
        }

        var master = new PCG(1, seed);
        for (var i = 0; i < count; i++)
        {
            var pcg = new PCG(1, master.Next64());
            var replay = pcg.ToString(); // CsCheck's seed strings are the generator's state before the case
            var value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception ex) when (ex is not CsCheckException)
            {
                Check.Sample(gen, assert, seed: replay, iter: 20_000, threads: 1);
                throw;
            }
        }
    }
}
