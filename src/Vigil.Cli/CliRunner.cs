using System.CommandLine;

namespace Vigil.Cli;

/// <summary>Runs the command line; turns unexpected failures into a clear message and exit code 2 instead of a stack trace.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        try
        {
            var parse = root.Parse(args);
            // Without this, System.CommandLine prints "Unhandled exception" with a stack trace itself and the catch below never runs.
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"vigil: error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
