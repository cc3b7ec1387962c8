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

    /// <summary>Starts <c>vigil serve --config <paramref name="configPath"/></c> and returns once it says where it listens.</summary>
    public static async Task<ServeProcess> StartServeAsync(string configPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "vigil.dll"), "serve", "--config", configPath])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("VIGIL_PASSWORD");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var serve = new ServeProcess(process);
        try
        {
            await serve.ListeningAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return serve;
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A running <c>vigil serve</c>; disposing kills it.</summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Received(e.Data);
        process.ErrorDataReceived += (_, e) => Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The first address of "vigil: listening on ...".</summary>
    public Uri Address => _listening.Task.Result;

    /// <summary>Everything the process wrote so far (both streams).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public Task<Uri> ListeningAsync() => _listening.Task;

    private void Received(string? line)
    {
        if (line is null)
        {
            _listening.TrySetException(new InvalidOperationException("vigil serve ended before listening:\n" + Output));
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^vigil: listening on (https?://[^,;\s]+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningLine();
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
