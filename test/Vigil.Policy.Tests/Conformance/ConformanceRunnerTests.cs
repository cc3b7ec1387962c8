using Vigil.Policy.Testing.Conformance;

namespace Vigil.Policy.Tests.Conformance;

public sealed class ConformanceRunnerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vigil-conformance-" + Guid.NewGuid().ToString("N"));

    public ConformanceRunnerTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "feature"));
        File.WriteAllText(Path.Combine(_directory, "feature", "cases.yaml"), """
            cases:
              - note: feature/passes
                query: data.t.p = x
                modules:
                  - |
                    package t
                    p := input.a + 1
                input: {"a": 1}
                want_result:
                  - x: 2
              - note: feature/wrong expectation
                query: data.t.p = x
                modules:
                  - |
                    package t
                    p := 3
                want_result:
                  - x: 4
              - note: feature/expected conflict
                query: data.t.p = x
                modules:
                  - |
                    package t
                    p := 1
                    p := 2 if true
                want_error_code: eval_conflict_error
                want_error: complete rules must not produce multiple outputs
              - note: feature/set result sorted
                query: x := {3, 1, 2}
                sort_bindings: true
                want_result:
                  - x: [1, 2, 3]
            """);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Run_Cases_JudgesAsOpaTestRego()
    {
        var cases = ConformanceSuite.Load(_directory);

        var outcomes = cases.Select(static c => ConformanceRunner.Run(c)).ToDictionary(static o => o.Note);

        Assert.Equal(4, cases.Count);
        Assert.True(outcomes["feature/passes"].Passed, outcomes["feature/passes"].Failure);
        Assert.False(outcomes["feature/wrong expectation"].Passed);
        Assert.True(outcomes["feature/expected conflict"].Passed, outcomes["feature/expected conflict"].Failure);
        Assert.True(outcomes["feature/set result sorted"].Passed, outcomes["feature/set result sorted"].Failure);
    }

    [Fact]
    public void FormatTable_Outcomes_EndsWithTotals()
    {
        var outcomes = ConformanceRunner.RunAll(ConformanceSuite.Load(_directory));

        var table = ConformanceRunner.FormatTable(outcomes);

        Assert.Contains("feature", table, StringComparison.Ordinal);
        Assert.EndsWith("3 passed, 1 failed", table, StringComparison.Ordinal);
    }
}
