using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Storage;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>The versioned schema on SQLite: creation, adoption of a pre-versioning store, refusal of a newer one.</summary>
public sealed class StoreSchemaTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-schema-" + Guid.NewGuid().ToString("N")[..12]);

    private VigilDbContext Sqlite() => new(VigilDbContext.SqliteOptions(_dir));

    [Fact]
    public void Steps_EveryModelTable_IsIntroducedByExactlyOneStep()
    {
        using var db = Sqlite();
        var stepTables = StoreSchema.Steps.SelectMany(s => s.Tables).ToList();
        Assert.Equal(stepTables.Count, stepTables.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(StoreSchema.ModelTables(db).Order(StringComparer.Ordinal), stepTables.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, StoreSchema.CurrentVersion), StoreSchema.Steps.Select(s => s.Version));
    }

    [Fact]
    public async Task EnsureSchema_NewSqliteStore_CreatesEveryTableAndRecordsTheCurrentVersion()
    {
        await using var db = Sqlite();
        await db.EnsureSchemaAsync();
        Assert.Equal(StoreSchema.CurrentVersion, await StoreSchema.ReadVersionAsync(db, default));
        await new UserService(db, TimeProvider.System).AddAsync("schema1", "schema-password-1", null, null, ["r"], ["g"], false);
        Assert.Equal(0, await db.Sessions.CountAsync());

        // A second start changes nothing.
        await db.EnsureSchemaAsync();
        Assert.Equal(StoreSchema.Steps.Count, await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM vigil_schema").SingleAsync());
        Assert.NotNull(await new UserService(db, TimeProvider.System).FindAsync("schema1"));
    }

    [Fact]
    public async Task EnsureSchema_StoreFromBeforeVersioning_KeepsItsDataAndGainsTheNewTables()
    {
        await using (var db = Sqlite())
        {
            await db.EnsureSchemaAsync();
            await new UserService(db, TimeProvider.System).AddAsync("old1", "old-password-1", null, null, [], [], false);

            // What a store written by the previous release looks like: no vigil_schema, no sessions, no revocations.
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_schema");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_sessions");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_revocations");
        }

        await using (var db = Sqlite())
        {
            Assert.Null(await StoreSchema.ReadVersionAsync(db, default));
            await db.EnsureSchemaAsync();
            Assert.Equal(StoreSchema.CurrentVersion, await StoreSchema.ReadVersionAsync(db, default));
            Assert.NotNull(await new UserService(db, TimeProvider.System).FindAsync("old1"));
            Assert.Equal(0, await db.Sessions.CountAsync());
            Assert.Equal(0, await db.Revocations.CountAsync());
        }
    }

    [Fact]
    public async Task EnsureSchema_Version3Store_UpgradesInPlaceToSharedLoginState()
    {
        string userId;
        await using (var db = Sqlite())
        {
            await db.EnsureSchemaAsync();
            userId = (await new UserService(db, TimeProvider.System).AddAsync("v3user", "v3-password-1", null, null, ["r"], [], false)).Id;

            // What a store written by the release before shared login state looks like.
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_webauthn_challenges");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_login_failures");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE vigil_login_bans");

            await db.Database.ExecuteSqlRawAsync("DELETE FROM vigil_schema WHERE version = 4");
        }

        await using (var db = Sqlite())
        {
            Assert.Equal(3, await StoreSchema.ReadVersionAsync(db, default));
            Assert.Equal(3, await StoreSchema.EnsureAsync(db, TimeProvider.System, default));
            Assert.Equal(StoreSchema.CurrentVersion, await StoreSchema.ReadVersionAsync(db, default));
            Assert.Equal(userId, (await new UserService(db, TimeProvider.System).FindAsync("v3user"))!.Id);
            await AssertSharedLoginStateWorksAsync(db);
        }
    }

    /// <summary>The tables schema step 4 adds.</summary>
    internal static readonly string[] V4Tables = ["vigil_webauthn_challenges", "vigil_login_failures", "vigil_login_bans"];

    /// <summary>Challenges, failures and bans can be written and read (the upgraded tables have the model's columns).</summary>
    internal static async Task AssertSharedLoginStateWorksAsync(VigilDbContext db)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var challenges = new WebAuthnChallengeStore(db, time, TimeSpan.FromMinutes(2));
        Assert.True(await challenges.TryPutAsync("attempt:v3", WebAuthnCeremony.Assertion, "u", "options"));
        Assert.Equal("options", await challenges.TakeAsync("attempt:v3", WebAuthnCeremony.Assertion, "u"));
        var logPath = Path.Combine(Path.GetTempPath(), "vigil-upgrade-" + Guid.NewGuid().ToString("N")[..8] + ".log");
        var log = new DecisionLog(logPath, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        try
        {
            var throttle = new LoginThrottle(db, new LockoutConfig { MaxFailuresPerAccount = 2 }, time, log, NullLogger<LoginThrottle>.Instance);
            await throttle.RecordFailureAsync("v3user", "192.0.2.1");
            await throttle.RecordFailureAsync("v3user", "192.0.2.1");
            Assert.True(await throttle.IsBannedAsync("v3user", "198.51.100.1"));
        }
        finally
        {
            await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            File.Delete(logPath);
        }
    }

    [Fact]
    public async Task EnsureSchema_StoreWrittenByANewerVigil_IsRefusedWithAStableCode()
    {
        await using var db = Sqlite();
        await db.EnsureSchemaAsync();
        await db.Database.ExecuteSqlRawAsync($"INSERT INTO vigil_schema (version, description, applied_at_unix) VALUES ({StoreSchema.CurrentVersion + 1}, 'future', 0)");
        var error = await Assert.ThrowsAsync<StoreException>(() => db.EnsureSchemaAsync());
        Assert.Equal(StoreErrorCodes.SchemaTooNew, error.Code);
        Assert.Contains($"schema version is {StoreSchema.CurrentVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("store_schema_newer: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartServer_PostgresUnreachable_FailsWithOneStoreErrorNamingTheServer()
    {
        Directory.CreateDirectory(_dir);
        var config = ConfigLoader.Parse("""
            version: 1
            server: { listen: ["http://127.0.0.1:0"], data_dir: ./data }
            storage: { provider: postgres, connection_string: "Host=127.0.0.1;Port=1;Database=vigil;Username=vigil;Password=x;Timeout=5" }
            """, _dir);
        await using var server = VigilServer.Create(config);
        var error = await Assert.ThrowsAsync<StoreException>(() => server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(StoreErrorCodes.Unavailable, error.Code);
        Assert.Contains("PostgreSQL 127.0.0.1:1/vigil as vigil", error.Message, StringComparison.Ordinal);
        Assert.Contains("is PostgreSQL running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The versioned schema on PostgreSQL (a database per test class, more per test where a fresh one is needed).</summary>
public sealed class PostgresSchemaTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private static VigilDbContext Open(string connectionString) =>
        new(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = connectionString }, Path.GetTempPath()));

    [PostgresFact]
    public async Task EnsureSchema_NewPostgresDatabase_CreatesEveryTableAndRecordsTheCurrentVersion()
    {
        await using var db = Open(database.ConnectionString);
        await db.EnsureSchemaAsync();
        Assert.Equal(StoreSchema.CurrentVersion, await StoreSchema.ReadVersionAsync(db, default));
        foreach (var table in StoreSchema.ModelTables(db))
        {
            Assert.Equal(1L, await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
                $"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = '{table}'"));
        }
    }

    [PostgresFact]
    public async Task EnsureSchema_Version3PostgresStore_UpgradesInPlaceToSharedLoginState()
    {
        var connectionString = await database.CreateDatabaseAsync();
        await using (var db = Open(connectionString))
        {
            await db.EnsureSchemaAsync();
            await new UserService(db, TimeProvider.System).AddAsync("v3user", "v3-password-1", null, null, [], [], false);
        }

        foreach (var table in StoreSchemaTests.V4Tables)
        {
            await PostgresTestDatabase.ScalarAsync(connectionString, $"DROP TABLE {table}");
        }

        await PostgresTestDatabase.ScalarAsync(connectionString, "DELETE FROM vigil_schema WHERE version = 4");
        await using (var db = Open(connectionString))
        {
            Assert.Equal(3, await StoreSchema.EnsureAsync(db, TimeProvider.System, default));
            Assert.Equal(StoreSchema.CurrentVersion, await StoreSchema.ReadVersionAsync(db, default));
            Assert.NotNull(await new UserService(db, TimeProvider.System).FindAsync("v3user"));
            await StoreSchemaTests.AssertSharedLoginStateWorksAsync(db);
        }
    }

    [PostgresFact]
    public async Task EnsureSchema_FourNodesStartingAtOnce_CreateTheSchemaOnce()
    {
        var connectionString = await database.CreateDatabaseAsync();
        var contexts = Enumerable.Range(0, 4).Select(_ => Open(connectionString)).ToList();
        try
        {
            await Task.WhenAll(contexts.Select(c => c.EnsureSchemaAsync())).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            foreach (var c in contexts)
            {
                await c.DisposeAsync();
            }
        }

        Assert.Equal((long)StoreSchema.Steps.Count, await PostgresTestDatabase.ScalarAsync(connectionString, "SELECT COUNT(*) FROM vigil_schema"));
    }

    [PostgresFact]
    public async Task EnsureSchema_PostgresStoreWrittenByANewerVigil_IsRefused()
    {
        var connectionString = await database.CreateDatabaseAsync();
        await using var db = Open(connectionString);
        await db.EnsureSchemaAsync();
        await PostgresTestDatabase.ScalarAsync(connectionString, $"INSERT INTO vigil_schema (version, description, applied_at_unix) VALUES ({StoreSchema.CurrentVersion + 1}, 'future', 0)");
        var error = await Assert.ThrowsAsync<StoreException>(() => db.EnsureSchemaAsync());
        Assert.Equal(StoreErrorCodes.SchemaTooNew, error.Code);
    }

    [PostgresFact]
    public async Task EnsureSchema_WrongPassword_FailsWithOneStoreErrorSayingWhatToCheck()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = "not-the-password" };
        await using var db = Open(builder.ConnectionString);
        var error = await Assert.ThrowsAsync<StoreException>(() => db.EnsureSchemaAsync());
        Assert.Equal(StoreErrorCodes.Unavailable, error.Code);
        Assert.Contains("28P01", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the user and password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }
}
