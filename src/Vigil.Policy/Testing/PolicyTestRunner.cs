using System.Diagnostics;
using Vigil.Policy.Compilation;
using Vigil.Policy.Loading;
using Vigil.Policy.Values;

namespace Vigil.Policy.Testing;

/// <summary>
/// Runs policy unit tests as <c>opa test</c> does (v1/tester/runner.go): every rule named <c>test_*</c> in any loaded
/// module is a test that passes when it evaluates to <c>true</c>; undefined or any other value fails; an evaluation
/// error is reported as an error. Test rules that share a name run separately, named <c>test_a</c>, <c>test_a#01</c>,
/// ... (<see cref="TestRules"/>); <c>todo_test_*</c> rules are skipped; a parameterized test (<c>test_x[case]</c>)
/// reports each case of its object.
/// </summary>
public static class PolicyTestRunner
{
    /// <summary>Loads, compiles and runs the tests under <paramref name="paths"/>.</summary>
    /// <exception cref="PolicyCompileException">The policies do not load or compile.</exception>
    public static PolicyTestReport Run(IEnumerable<string> paths, PolicyTestOptions? options = null)
    {
        options ??= new PolicyTestOptions();
        var bundle = PolicyLoader.Load(paths);
        var policy = bundle.CreateEngine(new PolicyOptions { RegoVersion = options.RegoVersion }).CompileWith(TestRules.SeparateDuplicates);
        return Run(policy, options);
    }

    /// <summary>
    /// Runs the tests of an already compiled policy. Test rules that share a name were merged by its compilation;
    /// <see cref="Run(IEnumerable{string}, PolicyTestOptions?)"/> keeps them apart.
    /// </summary>
    public static PolicyTestReport Run(CompiledPolicy policy, PolicyTestOptions? options = null)
    {
        options ??= new PolicyTestOptions();
        var nodes = policy.Program.Nodes.ToDictionary(static n => n.FullName, StringComparer.Ordinal);
        var results = new List<PolicyTestResult>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tests = policy.Rules
            .OrderBy(static r => r.Location.File, StringComparer.Ordinal)
            .ThenBy(static r => r.Location.Line)
            .ThenBy(static r => r.Location.Column);
        foreach (var rule in tests)
        {
            if (rule.IsFunction || !TestRules.IsTestName(rule.Name) || !seen.Add(rule.Path)
                || (options.Filter is { } filter && !rule.Path.Contains(filter, StringComparison.Ordinal)))
            {
                continue;
            }

            results.Add(rule.Name.StartsWith(TestRules.SkipTestPrefix, StringComparison.Ordinal)
                ? new PolicyTestResult(rule, PolicyTestOutcome.Skipped, TimeSpan.Zero, null, [])
                : RunOne(policy, rule, nodes[rule.Path], options));
        }

        return new PolicyTestReport(results);
    }

    private static PolicyTestResult RunOne(CompiledPolicy policy, RuleSummary rule, RuleNode node, PolicyTestOptions options)
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
            var result = policy.Evaluate(QueryFor(node), input: null, evaluation);
            var value = !result.IsUndefined && result[0].Expressions.Count == 1 ? result[0].Expressions[0] : null;
            if (node.Kind == RuleKind.PartialObject && value is ObjectValue cases)
            {
                // OPA's subResults: each key of a parameterized test is a case that passes when its value is true.
                var list = new List<PolicyTestCase>();
                foreach (var (key, caseValue) in cases)
                {
                    list.Add(new PolicyTestCase(key is StringValue s ? s.Value : key.ToString(), AllTrue(caseValue)));
                }

                var outcome = list.TrueForAll(static c => c.Passed) ? PolicyTestOutcome.Passed : PolicyTestOutcome.Failed;
                return new PolicyTestResult(rule, outcome, stopwatch.Elapsed, null, output) { Cases = list };
            }

            var passed = value == Value.True;
            return new PolicyTestResult(rule, passed ? PolicyTestOutcome.Passed : PolicyTestOutcome.Failed, stopwatch.Elapsed, null, output);
        }
        catch (PolicyException ex)
        {
            // The error's own location when it has one, else the test's.
            var message = ex.Errors.Count == 1 && ex.Errors[0].Location is null ? $"{rule.Location}: {ex.Message}" : ex.Message;
            return new PolicyTestResult(rule, PolicyTestOutcome.Error, stopwatch.Elapsed, message, output);
        }
    }

    private static bool AllTrue(Value value) => value switch
    {
        ObjectValue o => o.All(static kv => AllTrue(kv.Value)),
        _ => value == Value.True,
    };

    /// <summary>The rule's path as a query: renamed tests (<c>test_a#01</c>) and other non-identifier segments are quoted.</summary>
    private static string QueryFor(RuleNode node)
    {
        var text = new System.Text.StringBuilder("data");
        foreach (var segment in node.Path)
        {
            if (segment.Length > 0 && (char.IsAsciiLetter(segment[0]) || segment[0] == '_') && segment.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                text.Append('.').Append(segment);
            }
            else
            {
                text.Append('[').Append(StringValue.From(segment).ToString()).Append(']');
            }
        }

        return text.ToString();
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

    /// <summary>A <c>todo_test_*</c> rule: not run, as OPA skips it.</summary>
    Skipped,
}

/// <summary>One test rule's result.</summary>
public sealed record PolicyTestResult(RuleSummary Rule, PolicyTestOutcome Outcome, TimeSpan Duration, string? Error, IReadOnlyList<string> Output)
{
    /// <summary>For a parameterized test (<c>test_x[case]</c>): each case, by its key. Empty otherwise.</summary>
    public IReadOnlyList<PolicyTestCase> Cases { get; init; } = [];
}

/// <summary>One case of a parameterized test.</summary>
public sealed record PolicyTestCase(string Name, bool Passed);

/// <summary>All results of a test run.</summary>
public sealed record PolicyTestReport(IReadOnlyList<PolicyTestResult> Results)
{
    public int Passed => Results.Count(r => r.Outcome == PolicyTestOutcome.Passed);

    /// <summary>Tests that failed or raised an error (skipped tests do not count).</summary>
    public int Failed => Results.Count(r => r.Outcome is PolicyTestOutcome.Failed or PolicyTestOutcome.Error);

    public int Skipped => Results.Count(r => r.Outcome == PolicyTestOutcome.Skipped);
}
