using Vigil.Policy.Testing;

namespace Vigil.Policy.Tests.Testing;

public sealed class PolicyTestRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-policy-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Vigil.slnx not found above the test binaries");
    }

    [Fact]
    public void Run_ZeroTrustExample_AllTestsPass()
    {
        var report = PolicyTestRunner.Run([Path.Combine(RepositoryRoot(), "examples", "policies", "zero-trust")]);

        Assert.True(report.Results.Count >= 20, $"only {report.Results.Count} tests found");
        Assert.All(report.Results, r => Assert.True(r.Outcome == PolicyTestOutcome.Passed, $"{r.Rule.Path}: {r.Outcome} {r.Error}"));
    }

    [Fact]
    public void Run_FalseAndUndefinedAndErroringTests_AreReportedWithLocations()
    {
        File.WriteAllText(Path.Combine(_dir, "p_test.rego"), """
            package p

            test_true if { 1 == 1 }

            test_false if { 1 == 2 }

            test_undefined if { input.missing }

            test_error if { 1 / 0 == 0 }
            """);

        var report = PolicyTestRunner.Run([_dir], new PolicyTestOptions { RegoVersion = RegoVersion.V1 });

        var byName = report.Results.ToDictionary(r => r.Rule.Name);
        Assert.Equal(PolicyTestOutcome.Passed, byName["test_true"].Outcome);
        Assert.Equal(PolicyTestOutcome.Failed, byName["test_false"].Outcome);
        Assert.Equal(PolicyTestOutcome.Failed, byName["test_undefined"].Outcome);
        Assert.NotEqual(PolicyTestOutcome.Passed, byName["test_error"].Outcome);
        Assert.Equal(5, byName["test_false"].Rule.Location.Line);
        Assert.Equal(1, report.Passed);
        Assert.Equal(3, report.Failed);
    }

    [Fact]
    public void Run_V0StyleTests_RunUnchanged()
    {
        File.WriteAllText(Path.Combine(_dir, "authz.rego"), """
            package authz
            default allow = false
            allow { input.user.role in data.roles }
            """);
        File.WriteAllText(Path.Combine(_dir, "authz_test.rego"), """
            package authz
            test_admin_allowed { allow with input as {"user": {"role": "admin"}} }
            test_guest_denied { not allow with input as {"user": {"role": "guest"}} }
            """);
        File.WriteAllText(Path.Combine(_dir, "data.json"), """{"roles": ["admin"]}""");

        var report = PolicyTestRunner.Run([_dir]);

        Assert.Equal(2, report.Passed);
        Assert.Equal(0, report.Failed);
    }

    [Fact]
    public void Run_TestRuleOutsideTestFiles_IsATest()
    {
        // opa test runs every test_ rule of every loaded module (runner.go shouldRun looks at the name only).
        File.WriteAllText(Path.Combine(_dir, "p.rego"), "package p\n\ntest_helper := false\n");

        var report = PolicyTestRunner.Run([_dir]);

        var result = Assert.Single(report.Results);
        Assert.Equal("data.p.test_helper", result.Rule.Path);
        Assert.Equal(PolicyTestOutcome.Failed, result.Outcome);
    }

    [Fact]
    public void Run_TestsSharingAName_RunSeparatelyNamedAsOpaNamesThem()
    {
        // runner.go rewriteDuplicateTestNames: the second definition is test_a#01, the third test_a#02, also across
        // files of one package; a failing definition is not hidden by a passing one.
        File.WriteAllText(Path.Combine(_dir, "a_test.rego"), """
            package p

            test_a if { 1 == 1 }

            test_a if { 1 == 2 }
            """);
        File.WriteAllText(Path.Combine(_dir, "b_test.rego"), """
            package p

            test_a if { 2 == 2 }
            """);

        var report = PolicyTestRunner.Run([_dir], new PolicyTestOptions { RegoVersion = RegoVersion.V1 });

        Assert.Equal(
            ["data.p.test_a", "data.p.test_a#01", "data.p.test_a#02"],
            report.Results.Select(static r => r.Rule.Path));
        Assert.Equal(
            [PolicyTestOutcome.Passed, PolicyTestOutcome.Failed, PolicyTestOutcome.Passed],
            report.Results.Select(static r => r.Outcome));
        Assert.Equal(5, report.Results[1].Rule.Location.Line);
        Assert.Equal(1, report.Failed);
    }

    [Fact]
    public void Run_TodoTest_IsSkippedNotRun()
    {
        File.WriteAllText(Path.Combine(_dir, "p_test.rego"), """
            package p

            todo_test_later if { 1 == 2 }

            test_now if { true }
            """);

        var report = PolicyTestRunner.Run([_dir], new PolicyTestOptions { RegoVersion = RegoVersion.V1 });

        var skipped = Assert.Single(report.Results, static r => r.Rule.Name == "todo_test_later");
        Assert.Equal(PolicyTestOutcome.Skipped, skipped.Outcome);
        Assert.Equal(1, report.Skipped);
        Assert.Equal(0, report.Failed);
        Assert.Equal(1, report.Passed);
    }

    [Fact]
    public void Run_TestThatRaises_ReportsTheErrorWithItsLocation()
    {
        File.WriteAllText(Path.Combine(_dir, "p_test.rego"), """
            package p

            q := 1 if true

            q := 2 if true

            test_conflict if { q == 1 }
            """);

        var report = PolicyTestRunner.Run([_dir], new PolicyTestOptions { RegoVersion = RegoVersion.V1 });

        var result = Assert.Single(report.Results);
        Assert.Equal(PolicyTestOutcome.Error, result.Outcome);
        Assert.Contains("eval_conflict_error", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"p_test\.rego:\d+", result.Error);
    }

    [Fact]
    public void Run_ParameterizedTest_ReportsEachCase()
    {
        File.WriteAllText(Path.Combine(_dir, "p_test.rego"), """
            package p

            cases := {"lower": {"in": "A", "want": "a"}, "broken": {"in": "B", "want": "B"}}

            test_lower[name] := ok if {
                some name, c in cases
                ok := lower(c["in"]) == c.want
            }
            """);

        var report = PolicyTestRunner.Run([_dir], new PolicyTestOptions { RegoVersion = RegoVersion.V1 });

        var result = Assert.Single(report.Results);
        Assert.Equal(PolicyTestOutcome.Failed, result.Outcome);
        Assert.Equal([new PolicyTestCase("broken", false), new PolicyTestCase("lower", true)], result.Cases);
    }
}
