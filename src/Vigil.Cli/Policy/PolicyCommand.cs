using System.CommandLine;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy ...</c>: evaluate, test, check and run conformance for Rego policies.</summary>
internal static class PolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Evaluate, test and check Rego policies (OPA-compatible).");
        return command;
    }
}
