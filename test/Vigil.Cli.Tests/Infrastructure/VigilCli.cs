using System.Diagnostics;
using Vigil.Tests.Shared;

namespace Vigil.Cli.Tests.Infrastructure;

/// <summary>Runs the built <c>vigil</c> (vigil.dll beside the tests) as a child process, as an operator would.</summary>
internal static class VigilCli
{
    public sealed record Result(int Exit, string Out, string Err);

    public static Task<Result> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunWithInputAsync(environment, null, args);

    /// <summary>Runs with <paramref name="stdin"/> written to standard input (then closed).</summary>
    public static Task<Result> RunWithStdinAsync(string stdin, params string[] args) => RunWithInputAsync(null, stdin, args);

    private static async Task<Result> RunWithInputAsync(IReadOnlyDictionary<string, string>? environment, string? stdin, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigil.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("VIGIL_PASSWORD");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).WaitAsync(TimeSpan.FromSeconds(30));
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(null, args);
}

/// <summary>A folder with a <c>vigil.yaml</c> whose store is this class's PostgreSQL database (password in a file).</summary>
internal sealed class CliConfig : IDisposable
{
    public CliConfig(string connectionString)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("vigil-cli-").FullName;
        Path = System.IO.Path.Combine(Directory, "vigil.yaml");
        File.WriteAllText(Path, $"""
            version: 1
            server: {"{"} listen: ["http://127.0.0.1:8080"] {"}"}
            {PostgresTestDatabase.StorageYaml(connectionString, Directory)}
            """);
    }

    public string Directory { get; }
    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
