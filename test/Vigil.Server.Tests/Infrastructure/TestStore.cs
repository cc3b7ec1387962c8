using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Vigil.Server.Configuration;
using Vigil.Server.Storage;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>
/// A store with the current schema for service-level tests: a SQLite file in a temporary folder, or a PostgreSQL
/// database. Each <see cref="NewContext"/> is an independent connection, as two nodes (or two requests) would have.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly DbContextOptions<VigilDbContext> _options;
    private readonly string? _dir;

    private TestStore(DbContextOptions<VigilDbContext> options, string? dir)
    {
        _options = options;
        _dir = dir;
    }

    public static async Task<TestStore> SqliteAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-store-" + Guid.NewGuid().ToString("N")[..12]);
        var store = new TestStore(VigilDbContext.SqliteOptions(dir), dir);
        await store.EnsureAsync().ConfigureAwait(false);
        return store;
    }

    public static async Task<TestStore> PostgresAsync(string connectionString)
    {
        var store = new TestStore(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = connectionString }, Path.GetTempPath()), null);
        await store.EnsureAsync().ConfigureAwait(false);
        return store;
    }

    /// <summary>A store that cannot be reached: PostgreSQL on a loopback port nothing listens on.</summary>
    public static VigilDbContext Unreachable() =>
        new(VigilDbContext.CreateOptions(new StorageConfig
        {
            Provider = StorageProvider.Postgres,
            ConnectionString = $"Host=127.0.0.1;Port={Ports.Free()};Database=vigil;Username=vigil;Password=unused;Timeout=5",
        }, Path.GetTempPath()));

    public VigilDbContext NewContext() => new(_options);

    private async Task EnsureAsync()
    {
        await using var db = NewContext();
        await db.EnsureSchemaAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (_dir is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder; nothing depends on it being gone.
            }
        }

        return ValueTask.CompletedTask;
    }
}
