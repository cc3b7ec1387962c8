namespace Vigil.Server.Tests.Properties;

/// <summary>
/// How many cases a property test draws: a bounded run in CI, and a long one on demand with
/// <c>VIGIL_LONG_PROPERTY_RUNS=1</c> (for example <c>VIGIL_LONG_PROPERTY_RUNS=1 dotnet test --filter Properties</c>).
/// CsCheck draws fresh cases each run and prints the seed of a failing one, so a failure can be replayed.
/// </summary>
internal static class PropertyRuns
{
    public static bool Long => Environment.GetEnvironmentVariable("VIGIL_LONG_PROPERTY_RUNS") == "1";

    public static long Iterations(long ci, long longRun) => Long ? longRun : ci;
}
