namespace Vigil.Policy.Tests;

/// <summary>
/// Where OPA's conformance suite is (<c>../shared/conformance/opa/v1</c>, or <c>shared/</c> above the test binary). A fresh
/// clone without it skips the tests that need it, saying why; <c>.ci/run</c> sets <c>VIGIL_REQUIRE_SHARED=1</c>, which
/// makes them run (and fail if the suite is missing).
/// </summary>
internal static class SharedSuite
{
    public const string SkipReason = "needs OPA's conformance suite at ../shared/conformance/opa/v1 (not in this clone); .ci/run makes it mandatory";

    public static bool Available { get; } = Find() is not null || Environment.GetEnvironmentVariable("VIGIL_REQUIRE_SHARED") == "1";

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "shared", "conformance", "opa", "v1")) ||
                Directory.Exists(Path.Combine(dir.FullName, "..", "shared", "conformance", "opa", "v1")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs OPA's conformance suite: skipped, with the reason, where the clone has none.</summary>
public sealed class SharedSuiteFactAttribute : FactAttribute
{
    public SharedSuiteFactAttribute()
    {
        if (!SharedSuite.Available)
        {
            Skip = SharedSuite.SkipReason;
        }
    }
}

/// <summary>A theory that needs OPA's conformance suite: skipped, with the reason, where the clone has none.</summary>
public sealed class SharedSuiteTheoryAttribute : TheoryAttribute
{
    public SharedSuiteTheoryAttribute()
    {
        if (!SharedSuite.Available)
        {
            Skip = SharedSuite.SkipReason;
        }
    }
}
