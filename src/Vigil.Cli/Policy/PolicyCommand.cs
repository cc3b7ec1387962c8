using System.CommandLine;
using Vigil.Policy;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy ...</c>: evaluate, test, check and format Rego policies, and run OPA's conformance suite.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Evaluate, test, check and format Rego policies (OPA-compatible).");
        command.Subcommands.Add(EvalCommand.Create());
        command.Subcommands.Add(TestCommand.Create());
        command.Subcommands.Add(CheckCommand.Create());
        command.Subcommands.Add(FmtCommand.Create());
        command.Subcommands.Add(ConformanceCommand.Create());
        return command;
    }

    /// <summary>Shared option: which Rego syntax the modules use.</summary>
    public static Option<RegoVersion> RegoVersionOption() => new("--rego-version")
    {
        Description = "Rego syntax of the modules: Auto (v1, falling back to v0), V0 or V1.",
        DefaultValueFactory = _ => RegoVersion.Auto,
    };

    /// <summary>Writes every error of a failed load/compile, one per line with its location.</summary>
    public static int ReportErrors(PolicyException ex, TextWriter error)
    {
        foreach (var e in ex.Errors)
        {
            // file:line:col, where OPA prints only file:line.
            error.WriteLine(e.Location is { } location ? $"{location}: {e.Code}: {e.Message}" : e.ToString());
        }

        error.WriteLine(ex.Errors.Count == 1 ? "1 error" : $"{ex.Errors.Count} errors");
        return 1;
    }
}
