using Npgsql;
using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

/// <summary>The <c>storage</c> section: SQLite by default, PostgreSQL with the secret outside the YAML, located errors.</summary>
public sealed class StorageConfigTests : ConfigSectionTests
{
    [Fact]
    public void Parse_NoStorageSection_IsSqliteInTheDataFolder()
    {
        var config = Parse("");
        Assert.Equal(StorageProvider.Sqlite, config.Storage.Provider);
        Assert.Null(config.Storage.ConnectionString);
    }

    [Fact]
    public void Parse_PostgresWithPasswordFile_MergesThePasswordIntoTheConnectionString()
    {
        File.WriteAllText(Path.Combine(Dir, "db-password"), "s3cret;with=odd chars\n");
        var config = Parse("""storage: { provider: postgres, connection_string: "Host=db.internal;Database=vigil;Username=vigil;SSL Mode=VerifyFull", password_file: db-password }""");
        Assert.Equal(StorageProvider.Postgres, config.Storage.Provider);
        var builder = new NpgsqlConnectionStringBuilder(config.Storage.ConnectionString);
        Assert.Equal("s3cret;with=odd chars", builder.Password);
        Assert.Equal("db.internal", builder.Host);
        Assert.DoesNotContain("s3cret", config.Storage.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PostgresConnectionStringFromEnvironment_IsRead()
    {
        var variable = "VIGIL_TEST_CONN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "Host=127.0.0.1;Port=5433;Database=v;Username=u;Password=p");
        try
        {
            var config = Parse($"storage: {{ provider: postgres, connection_string_env: {variable} }}");
            var builder = new NpgsqlConnectionStringBuilder(config.Storage.ConnectionString);
            Assert.Equal(5433, builder.Port);
            Assert.Equal("p", builder.Password);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parse_StorageMistakes_ListsEveryErrorWithItsLocation()
    {
        var ex = Fails("""
            storage:
              provider: postgres
              connection_string: "Host=db.example.com;Database=vigil;SSL Mode=Disable;Password=x"
              password_env: VIGIL_TEST_NOT_SET_ANYWHERE
              colour: blue
            """);
        Assert.Contains(ex.Errors, e => e.Path == "storage.colour" && e.Code == ConfigErrorCodes.UnknownKey && e.Line == 7);
        Assert.Contains(ex.Errors, e => e.Path == "storage.password_env" && e.Code == ConfigErrorCodes.Duplicate && e.Line == 6);
        Assert.Contains(ex.Errors, e => e.Path == "storage.connection_string" && e.Code == ConfigErrorCodes.Insecure && e.Line == 5);
    }

    [Theory]
    [InlineData("storage: { provider: mysql }", "storage.provider", ConfigErrorCodes.Invalid)]
    [InlineData("storage: { provider: postgres }", "storage.connection_string", ConfigErrorCodes.Missing)]
    [InlineData("storage: { provider: postgres, connection_string: \"Host=h;Database=d\", connection_string_env: X }", "storage.connection_string_env", ConfigErrorCodes.Duplicate)]
    [InlineData("storage: { provider: postgres, connection_string_env: VIGIL_TEST_NOT_SET_ANYWHERE }", "storage.connection_string_env", ConfigErrorCodes.Missing)]
    [InlineData("storage: { provider: postgres, connection_string_file: no-such-file }", "storage.connection_string_file", ConfigErrorCodes.Missing)]
    [InlineData("storage: { provider: postgres, connection_string: \"Host=h\" }", "storage.connection_string", ConfigErrorCodes.Missing)]
    [InlineData("storage: { provider: postgres, connection_string: \"Hots=h;Database=d\" }", "storage.connection_string", ConfigErrorCodes.Invalid)]
    [InlineData("storage: { provider: sqlite, connection_string: \"Host=h;Database=d\" }", "storage.connection_string", ConfigErrorCodes.Invalid)]
    public void Parse_BadStorage_IsRefusedWithCodeAndPath(string storage, string path, string code)
    {
        var ex = Fails(storage);
        var error = Assert.Single(ex.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(code, error.Code);
        Assert.True(error.Line > 0, error.ToString());
    }
}
