using System.CommandLine;
using Vigil.Policy;
using Vigil.Policy.Testing;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy test</c>: like <c>opa test</c>.</summary>
internal static class TestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or directories holding policies, tests (*_test.rego) and data.", Arity = ArgumentArity.OneOrMore };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every test, not only failures." };
        var run = new Option<string?>("--run", "-r") { Description = "Only run tests whose path contains this text." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Deadline per test.", DefaultValueFactory = _ => TimeSpan.FromSeconds(10) };
        var version = PolicyCommand.RegoVersionOption();

        var command = new Command("test", "Run the test_* rules of the loaded modules (todo_test_* are skipped); exit 0 only if all pass.") { paths, verbose, run, timeout, version };
        command.SetAction(parse =>
        {
            PolicyTestReport report;
            try
            {
                report = PolicyTestRunner.Run(parse.GetRequiredValue(paths), new PolicyTestOptions
                {
                    Filter = parse.GetValue(run),
                    Timeout = parse.GetValue(timeout),
                    RegoVersion = parse.GetValue(version),
                });
            }
            catch (PolicyException ex)
            {
                return PolicyCommand.ReportErrors(ex, Console.Error);
            }

            foreach (var result in report.Results)
            {
                if (result.Outcome == PolicyTestOutcome.Passed && !parse.GetValue(verbose))
                {
                    continue;
                }

                var label = result.Outcome switch
                {
                    PolicyTestOutcome.Passed => "PASS",
                    PolicyTestOutcome.Failed => "FAIL",
                    PolicyTestOutcome.Skipped => "SKIPPED",
                    _ => "ERROR",
                };
                Console.Out.WriteLine($"{result.Rule.Location}: {result.Rule.Path}: {label} ({result.Duration.TotalMilliseconds:0.###} ms)");
                if (result.Error is not null)
                {
                    Console.Out.WriteLine($"  {result.Error}");
                }

                foreach (var testCase in result.Cases)
                {
                    Console.Out.WriteLine($"  {testCase.Name}: {(testCase.Passed ? "PASS" : "FAIL")}");
                }

                foreach (var line in result.Output)
                {
                    Console.Out.WriteLine($"  {line}");
                }
            }

            if (report.Results.Count == 0)
            {
                Console.Error.WriteLine("no tests found (tests are test_* rules)");
            }

            Console.Out.WriteLine(report.Skipped > 0
                ? $"{report.Passed} passed, {report.Failed} failed, {report.Skipped} skipped"
                : $"{report.Passed} passed, {report.Failed} failed");
            return report.Failed == 0 && report.Results.Count > 0 ? 0 : 1;
        });
        return command;
    }
}
