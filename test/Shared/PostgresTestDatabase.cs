using Npgsql;

namespace Vigil.Tests.Shared;

/// <summary>
/// A test that needs the PostgreSQL server named by <c>VIGIL_TEST_POSTGRES</c> (scripts/test.sh starts a throwaway
/// cluster and sets it). Skipped only when the variable is absent (a bare <c>dotnet test</c>); when it is set and the
/// server is unusable, the test fails.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "VIGIL_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set (scripts/test.sh starts a throwaway PostgreSQL and sets it)";
        }
    }
}

/// <summary>A database of its own for one test class (CREATE DATABASE at start, DROP ... WITH (FORCE) at the end).</summary>
public sealed class PostgresTestDatabase : IAsyncLifetime
{
    private readonly List<string> _created = [];

    /// <summary>Connection string of this class's database (empty when the variable is absent: the tests are skipped).</summary>
    public string ConnectionString { get; private set; } = "";

    public static string? ServerConnectionString => Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable) is { Length: > 0 } s ? s : null;

    public async Task InitializeAsync()
    {
        if (ServerConnectionString is not null)
        {
            ConnectionString = await CreateDatabaseAsync();
        }
    }

    /// <summary>Creates another empty database (dropped with this fixture) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var server = ServerConnectionString ?? throw new InvalidOperationException($"{PostgresFactAttribute.Variable} is not set");
        var name = "vigil_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _created.Add(name);
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Runs one SQL statement in a database and returns the first column of the first row.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A YAML <c>storage:</c> section for <paramref name="connectionString"/>, with the password moved to a file.</summary>
    public static string StorageYaml(string connectionString, string directory)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var passwordFile = Path.Combine(directory, "db-password-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(passwordFile, builder.Password + "\n");
        builder.Password = null;
        return $"storage: {{ provider: postgres, connection_string: \"{builder.ConnectionString}\", password_file: \"{passwordFile}\" }}";
    }

    public async Task DisposeAsync()
    {
        if (ServerConnectionString is not { } server)
        {
            return;
        }

        try
        {
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var name in _created)
            {
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (NpgsqlException)
        {
            // The cluster is thrown away at the end of the run anyway.
        }
    }
}
