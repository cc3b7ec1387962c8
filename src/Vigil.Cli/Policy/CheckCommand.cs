using System.CommandLine;
using Vigil.Policy;
using Vigil.Policy.Loading;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy check</c>: parse and compile only, listing every error with its location.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or directories of policies and data.", Arity = ArgumentArity.OneOrMore };
        var version = PolicyCommand.RegoVersionOption();
        var command = new Command("check", "Compile policies without evaluating; every error is listed with file:line:col.") { paths, version };
        command.SetAction(parse =>
        {
            try
            {
                var bundle = PolicyLoader.Load(parse.GetRequiredValue(paths));
                var policy = bundle.CreateEngine(new PolicyOptions { RegoVersion = parse.GetValue(version) }).Compile();
                Console.Out.WriteLine($"ok: {bundle.Modules.Count} module(s), {bundle.DataFiles.Count} data file(s), {policy.Rules.Count} rule(s)");
                return 0;
            }
            catch (PolicyException ex)
            {
                return PolicyCommand.ReportErrors(ex, Console.Error);
            }
        });
        return command;
    }
}
