using Vigil.Cli.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Cli.Tests.Users;

/// <summary><c>vigil users</c> against PostgreSQL through the real executable.</summary>
public sealed class UsersCommandTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    [PostgresFact]
    public async Task Users_AddListDisableEnable_RoundTripThroughPostgres()
    {
        using var config = new CliConfig(database.ConnectionString);
        var added = await VigilCli.RunAsync("users", "add", "carol", "-p", "carol-password-1", "-r", "eng", "-r", "ops", "-g", "staff", "--mfa-required", "-c", config.Path);
        Assert.True(added.Exit == 0, added.Err);
        Assert.StartsWith("added carol (id ", added.Out, StringComparison.Ordinal);

        var again = await VigilCli.RunAsync("users", "add", "Carol", "-p", "carol-password-1", "-c", config.Path);
        Assert.Equal(1, again.Exit);
        Assert.Contains("user 'carol' already exists", again.Err, StringComparison.Ordinal);

        var list = await VigilCli.RunAsync("users", "list", "-c", config.Path);
        Assert.Equal(0, list.Exit);
        var line = Assert.Single(list.Out.Split('\n'), l => l.StartsWith("carol ", StringComparison.Ordinal));
        Assert.Matches(@"^carol\s+eng,ops\s+staff\s+required.*\sactive$", line.TrimEnd());

        var disabled = await VigilCli.RunAsync("users", "disable", "carol", "-c", config.Path);
        Assert.Equal((0, "disabled carol"), (disabled.Exit, disabled.Out.Trim()));
        Assert.Equal(1L, await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
            "SELECT COUNT(*) FROM vigil_revocations r JOIN vigil_users u ON u.\"Id\" = r.subject_key WHERE r.kind = 'user' AND u.\"UserName\" = 'carol'"));
        Assert.Matches(@"(?m)^carol\s.*disabled\s*$", (await VigilCli.RunAsync("users", "list", "-c", config.Path)).Out);

        var enabled = await VigilCli.RunAsync("users", "enable", "carol", "-c", config.Path);
        Assert.Equal((0, "enabled carol"), (enabled.Exit, enabled.Out.Trim()));
        Assert.Matches(@"(?m)^carol\s.*active\s*$", (await VigilCli.RunAsync("users", "list", "-c", config.Path)).Out);

        var missing = await VigilCli.RunAsync("users", "disable", "nobody", "-c", config.Path);
        Assert.Equal(1, missing.Exit);
    }

    [PostgresFact]
    public async Task UsersList_ShowsSecurityKeys_AndResetMfaRemovesThem()
    {
        using var config = new CliConfig(database.ConnectionString);
        var added = await VigilCli.RunAsync("users", "add", "kim", "-p", "kim-password-1", "--mfa-required", "-c", config.Path);
        Assert.True(added.Exit == 0, added.Err);
        var id = (string)(await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT \"Id\" FROM vigil_users WHERE \"UserName\" = 'kim'"))!;
        foreach (var n in new[] { "a", "b" })
        {
            await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
                "INSERT INTO vigil_webauthn_credentials (id, user_id, credential_id, public_key, sign_count, aaguid, user_handle, transports, name, created_at_unix) " +
                $"VALUES ('kim-{n}', '{id}', 'cred-kim-{n}', 'pk', 0, '00000000-0000-0000-0000-000000000000', 'h', 'usb', 'key {n}', 0)");
        }

        var list = await VigilCli.RunAsync("users", "list", "-c", config.Path);
        Assert.Matches(@"(?m)^kim\s+webauthn\(2\),required\s+active\s*$", list.Out);

        var reset = await VigilCli.RunAsync("users", "reset-mfa", "kim", "-c", config.Path);
        Assert.Equal((0, "MFA reset for kim"), (reset.Exit, reset.Out.Trim()));
        Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT COUNT(*) FROM vigil_webauthn_credentials WHERE user_id = '" + id + "'"));
        Assert.Matches(@"(?m)^kim\s+required\s+active\s*$", (await VigilCli.RunAsync("users", "list", "-c", config.Path)).Out);
    }

    [PostgresFact]
    public async Task UsersUpdateAndRemove_ChangeRolesAndGroupsRevokeSessionsAndDeleteEverything()
    {
        using var config = new CliConfig(database.ConnectionString);
        Assert.Equal(0, (await VigilCli.RunAsync("users", "add", "erin", "-p", "erin-password-1", "-r", "eng", "-g", "staff", "-g", "oncall", "-c", config.Path)).Exit);

        var updated = await VigilCli.RunAsync("users", "update", "erin", "-r", "admin", "-r", "eng", "--no-groups", "--email", "erin@example.test", "-c", config.Path);
        Assert.True(updated.Exit == 0, updated.Err);
        Assert.Equal("updated erin: roles admin,eng, groups -", updated.Out.Trim());
        Assert.Matches(@"(?m)^erin\s+admin,eng\s+-?\s", (await VigilCli.RunAsync("users", "list", "-c", config.Path)).Out.Replace("eng,admin", "admin,eng", StringComparison.Ordinal));
        Assert.Equal("roles_changed", await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
            "SELECT r.reason FROM vigil_revocations r JOIN vigil_users u ON u.\"Id\" = r.subject_key WHERE r.kind = 'user' AND u.\"UserName\" = 'erin'"));
        Assert.Equal("erin@example.test", await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT \"Email\" FROM vigil_users WHERE \"UserName\" = 'erin'"));

        var nothing = await VigilCli.RunAsync("users", "update", "erin", "-c", config.Path);
        Assert.Equal(2, nothing.Exit);
        Assert.Contains("nothing to change", nothing.Err, StringComparison.Ordinal);
        Assert.Equal(1, (await VigilCli.RunAsync("users", "update", "nobody-here", "-r", "x", "-c", config.Path)).Exit);

        var id = (string)(await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT \"Id\" FROM vigil_users WHERE \"UserName\" = 'erin'"))!;
        var removed = await VigilCli.RunAsync("users", "remove", "Erin", "-c", config.Path);
        Assert.Equal((0, "removed erin"), (removed.Exit, removed.Out.Trim()));
        Assert.Equal(0L, await PostgresTestDatabase.ScalarAsync(database.ConnectionString, $"SELECT COUNT(*) FROM vigil_user_roles WHERE \"UserId\" = '{id}'"));
        Assert.Equal("user_removed", await PostgresTestDatabase.ScalarAsync(database.ConnectionString, $"SELECT reason FROM vigil_revocations WHERE kind = 'user' AND subject_key = '{id}'"));
        Assert.DoesNotContain("erin", (await VigilCli.RunAsync("users", "list", "-c", config.Path)).Out, StringComparison.Ordinal);
        Assert.Equal(1, (await VigilCli.RunAsync("users", "remove", "erin", "-c", config.Path)).Exit);
    }

    [PostgresFact]
    public async Task UsersAdd_PasswordAndConnectionStringFromTheEnvironment_NoSecretInTheYaml()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-cli-env-").FullName;
        try
        {
            var path = Path.Combine(directory, "vigil.yaml");
            File.WriteAllText(path, """
                version: 1
                server: { listen: ["http://127.0.0.1:8080"] }
                storage: { provider: postgres, connection_string_env: VIGIL_DB }
                """);
            var environment = new Dictionary<string, string> { ["VIGIL_DB"] = database.ConnectionString, ["VIGIL_PASSWORD"] = "dan-password-1" };
            var added = await VigilCli.RunAsync(environment, "users", "add", "dan", "-c", path);
            Assert.True(added.Exit == 0, added.Err);
            Assert.Equal(1L, await PostgresTestDatabase.ScalarAsync(database.ConnectionString, "SELECT COUNT(*) FROM vigil_users WHERE \"UserName\" = 'dan'"));

            var unset = await VigilCli.RunAsync("users", "list", "-c", path);
            Assert.Equal(2, unset.Exit);
            Assert.Contains("storage.connection_string_env (3:", unset.Err, StringComparison.Ordinal);
            Assert.Contains("environment variable 'VIGIL_DB' is not set", unset.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Users_PostgresUnreachable_OneClearErrorLineAndNoStackTrace()
    {
        var directory = Directory.CreateTempSubdirectory("vigil-cli-down-").FullName;
        try
        {
            var path = Path.Combine(directory, "vigil.yaml");
            File.WriteAllText(path, """
                version: 1
                server: { listen: ["http://127.0.0.1:8080"] }
                storage: { provider: postgres, connection_string: "Host=127.0.0.1;Port=1;Database=vigil;Username=vigil;Password=hunter2hunter2" }
                """);
            var result = await VigilCli.RunAsync("users", "list", "-c", path);
            Assert.Equal(2, result.Exit);
            var error = result.Err.Trim();
            Assert.DoesNotContain('\n', error);
            Assert.StartsWith("vigil: error: store_unavailable: cannot use the store (PostgreSQL 127.0.0.1:1/vigil as vigil): ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
