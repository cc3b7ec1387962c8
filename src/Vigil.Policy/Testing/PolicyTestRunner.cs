using System.Diagnostics;
using Vigil.Policy.Loading;
using Vigil.Policy.Values;

namespace Vigil.Policy.Testing;

/// <summary>
/// Runs policy unit tests as <c>opa test</c> does: every rule named <c>test_*</c> in a <c>*_test.rego</c> file
/// passes when it evaluates to <c>true</c>; undefined or any other value fails; an evaluation error is reported as an error.
/// </summary>
public static class PolicyTestRunner
{
    /// <summary>Loads, compiles and runs the tests under <paramref name="paths"/>.</summary>
    /// <exception cref="PolicyCompileException">The policies do not load or compile.</exception>
    public static PolicyTestReport Run(IEnumerable<string> paths, PolicyTestOptions? options = null)
    {
        options ??= new PolicyTestOptions();
        var bundle = PolicyLoader.Load(paths);
        var policy = bundle.CreateEngine(new PolicyOptions { RegoVersion = options.RegoVersion }).Compile();
        return Run(policy, options);
    }

    /// <summary>Runs the tests of an already compiled policy.</summary>
    public static PolicyTestReport Run(CompiledPolicy policy, PolicyTestOptions? options = null)
    {
        options ??= new PolicyTestOptions();
        var results = new List<PolicyTestResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in policy.Rules)
        {
            if (rule.IsFunction || !rule.Name.StartsWith("test_", StringComparison.Ordinal)
                || !rule.Location.File.EndsWith("_test.rego", StringComparison.Ordinal) || !seen.Add(rule.Path)
                || (options.Filter is { } filter && !rule.Path.Contains(filter, StringComparison.Ordinal)))
            {
                continue;
            }

            results.Add(RunOne(policy, rule, options));
        }

        return new PolicyTestReport(results);
    }

    private static PolicyTestResult RunOne(CompiledPolicy policy, RuleSummary rule, PolicyTestOptions options)
    {
        var stopwatch = Stopwatch.StartNew();
        var output = new List<string>();
        var evaluation = new EvaluationOptions
        {
            Timeout = options.Timeout,
            TimeProvider = options.TimeProvider,
            Print = output.Add,
        };

        try
        {
            var result = policy.Evaluate(rule.Path, input: null, evaluation);
            var passed = !result.IsUndefined && result[0].Expressions.Count == 1 && result[0].Expressions[0] == Value.True;
            return new PolicyTestResult(rule, passed ? PolicyTestOutcome.Passed : PolicyTestOutcome.Failed, stopwatch.Elapsed, null, output);
        }
        catch (PolicyException ex)
        {
            return new PolicyTestResult(rule, PolicyTestOutcome.Error, stopwatch.Elapsed, ex.Message, output);
        }
    }
}

/// <summary>Options for <see cref="PolicyTestRunner"/>.</summary>
public sealed record PolicyTestOptions
{
    /// <summary>Per-test deadline. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Only tests whose path contains this text run. Default: all.</summary>
    public string? Filter { get; init; }

    /// <summary>Rego version of the modules. Default: <see cref="RegoVersion.Auto"/>.</summary>
    public RegoVersion RegoVersion { get; init; } = RegoVersion.Auto;

    /// <summary>Clock for <c>time.now_ns</c>. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The outcome of one test rule.</summary>
public enum PolicyTestOutcome
{
    Passed,
    Failed,
    Error,
}

/// <summary>One test rule's result.</summary>
public sealed record PolicyTestResult(RuleSummary Rule, PolicyTestOutcome Outcome, TimeSpan Duration, string? Error, IReadOnlyList<string> Output);

/// <summary>All results of a test run.</summary>
public sealed record PolicyTestReport(IReadOnlyList<PolicyTestResult> Results)
{
    public int Passed => Results.Count(r => r.Outcome == PolicyTestOutcome.Passed);

    public int Failed => Results.Count - Passed;
}
