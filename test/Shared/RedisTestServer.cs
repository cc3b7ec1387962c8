using System.Diagnostics;

namespace Vigil.Tests.Shared;

/// <summary>
/// A test that needs the Redis server named by <c>VIGIL_TEST_REDIS</c> (scripts/test.sh starts a throwaway one with
/// scripts/redis.sh and sets it). Skipped only when the variable is absent (a bare <c>dotnet test</c>); when it is set
/// and the server is unusable, the test fails.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public const string Variable = "VIGIL_TEST_REDIS";

    public RedisFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set (scripts/test.sh starts a throwaway Redis and sets it)";
        }
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)))
        {
            Skip = $"{PostgresFactAttribute.Variable} is not set (scripts/test.sh starts a throwaway PostgreSQL and sets it)";
        }
    }
}

/// <summary>
/// Redis for the tests: the shared server of the run (<see cref="Shared"/>; tests keep apart by channel prefix) or a
/// private one from <c>scripts/redis.sh</c> that a test may stop and start again (<see cref="PauseAsync"/>,
/// <see cref="ResumeAsync"/>) on the same port.
/// </summary>
public sealed class RedisTestServer : IAsyncDisposable
{
    private readonly string _dir;

    private RedisTestServer(string connectionString, string dir)
    {
        ConnectionString = connectionString;
        _dir = dir;
    }

    /// <summary>The run's shared server (a StackExchange.Redis configuration string with the password).</summary>
    public static string Shared => Environment.GetEnvironmentVariable(RedisFactAttribute.Variable) is { Length: > 0 } s
        ? s
        : throw new InvalidOperationException($"{RedisFactAttribute.Variable} is not set");

    public string ConnectionString { get; }

    /// <summary>A channel prefix no other test uses.</summary>
    public static string NewPrefix() => "vigil-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A <c>redis:</c> YAML section for <paramref name="connectionString"/>, with the password in an environment variable.</summary>
    public static string Yaml(string connectionString, string prefix)
    {
        var parts = connectionString.Split(',');
        var password = parts.FirstOrDefault(p => p.StartsWith("password=", StringComparison.Ordinal))?["password=".Length..];
        var rest = string.Join(',', parts.Where(p => !p.StartsWith("password=", StringComparison.Ordinal)));
        if (password is null)
        {
            return $"redis: {{ connection_string: \"{rest}\", channel_prefix: {prefix} }}";
        }

        var variable = "VIGIL_TEST_REDIS_PASSWORD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, password);
        return $"redis: {{ connection_string: \"{rest}\", password_env: {variable}, channel_prefix: {prefix} }}";
    }

    /// <summary>Starts a private server with scripts/redis.sh.</summary>
    public static async Task<RedisTestServer> StartPrivateAsync()
    {
        var output = await ScriptAsync("start").ConfigureAwait(false);
        string? connection = null, dir = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("export VIGIL_TEST_REDIS='", StringComparison.Ordinal))
            {
                connection = line["export VIGIL_TEST_REDIS='".Length..].TrimEnd('\'');
            }
            else if (line.StartsWith("export VIGIL_TEST_REDIS_DIR='", StringComparison.Ordinal))
            {
                dir = line["export VIGIL_TEST_REDIS_DIR='".Length..].TrimEnd('\'');
            }
        }

        return new RedisTestServer(connection ?? throw new InvalidOperationException("redis.sh printed no connection string: " + output),
            dir ?? throw new InvalidOperationException("redis.sh printed no folder"));
    }

    /// <summary>Stops the server (its port stays reserved for <see cref="ResumeAsync"/> only by convention).</summary>
    public Task PauseAsync() => ScriptAsync("pause", _dir);

    /// <summary>Starts the server again on the same port with the same password (empty: nothing persisted).</summary>
    public Task ResumeAsync() => ScriptAsync("resume", _dir);

    public async ValueTask DisposeAsync() => await ScriptAsync("stop", _dir).ConfigureAwait(false);

    private static async Task<string> ScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "scripts", "redis.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis.sh {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr.ConfigureAwait(false)}");
        }

        return await stdout.ConfigureAwait(false);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "redis.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("scripts/redis.sh not found above " + AppContext.BaseDirectory);
    }
}
