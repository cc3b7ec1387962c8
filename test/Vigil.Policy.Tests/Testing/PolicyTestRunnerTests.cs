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
    public void Run_RulesOutsideTestFiles_AreNotTests()
    {
        File.WriteAllText(Path.Combine(_dir, "p.rego"), "package p\n\ntest_helper := false\n");

        var report = PolicyTestRunner.Run([_dir]);

        Assert.Empty(report.Results);
    }
}
