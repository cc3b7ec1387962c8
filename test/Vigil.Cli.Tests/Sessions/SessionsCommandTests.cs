using System.Text.Json;
using Vigil.Cli.Tests.Infrastructure;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Tests.Shared;

namespace Vigil.Cli.Tests.Sessions;

/// <summary><c>vigil sessions list|revoke</c> against PostgreSQL through the real executable.</summary>
public sealed class SessionsCommandTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    private VigilDbContext Open() =>
        new(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = database.ConnectionString }, Path.GetTempPath()));

    /// <summary>A built-in user with two recorded sessions (as sign-in records them) and one of another user.</summary>
    private async Task<string> SeedAsync(string user, string other)
    {
        await using var db = Open();
        await db.EnsureSchemaAsync();
        var users = new UserService(db, TimeProvider.System);
        var id = (await users.AddAsync(user, "session-password-1", null, null, [], [], false)).Id;
        var otherId = (await users.AddAsync(other, "session-password-1", null, null, [], [], false)).Id;
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var store = new SessionStore(db, TimeProvider.System);
        await store.RecordAsync(new SessionEntity
        {
            Id = user + "a1", Subject = id, UserName = user, CreatedAtUnix = now - 120, ExpiresAtUnix = now + 3600, LastSeenAtUnix = now - 60,
            ClientIp = "192.0.2.10", UserAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Amr = "pwd otp mfa",
        });
        await store.RecordAsync(new SessionEntity { Id = user + "b2", Subject = id, UserName = user, CreatedAtUnix = now - 60, ExpiresAtUnix = now + 3600, LastSeenAtUnix = now - 60, ClientIp = "192.0.2.11", Amr = "pwd" });
        await store.RecordAsync(new SessionEntity { Id = user + "old", Subject = id, UserName = user, CreatedAtUnix = now - 9000, ExpiresAtUnix = now - 10, LastSeenAtUnix = now - 9000 });
        await store.RecordAsync(new SessionEntity { Id = other + "c3", Subject = otherId, UserName = other, CreatedAtUnix = now - 30, ExpiresAtUnix = now + 3600, LastSeenAtUnix = now - 30, Amr = "pwd" });
        return id;
    }

    [PostgresFact]
    public async Task SessionsList_JsonForOneUser_ShowsTheirUnexpiredSessionsNewestFirst()
    {
        await SeedAsync("frank", "gina");
        using var config = new CliConfig(database.ConnectionString);
        var result = await VigilCli.RunAsync("sessions", "list", "--user", "frank", "--format", "json", "-c", config.Path);
        Assert.True(result.Exit == 0, result.Err);
        var sessions = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ToList();
        Assert.Equal(["frankb2", "franka1"], sessions.Select(s => s.GetProperty("session_id").GetString()));
        var first = sessions[1];
        Assert.Equal("frank", first.GetProperty("user").GetString());
        Assert.Equal("192.0.2.10", first.GetProperty("client_ip").GetString());
        Assert.Equal(["pwd", "otp", "mfa"], first.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("active", first.GetProperty("status").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", first.GetProperty("last_seen_at").GetString()!);
        Assert.Contains("Firefox", first.GetProperty("user_agent").GetString(), StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task SessionsList_Table_ListsEveryUsersSessionsWithAHeader()
    {
        await SeedAsync("hank", "ivy");
        using var config = new CliConfig(database.ConnectionString);
        var result = await VigilCli.RunAsync("sessions", "list", "-c", config.Path);
        Assert.True(result.Exit == 0, result.Err);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("SESSION", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("hanka1 ", StringComparison.Ordinal) && l.Contains("192.0.2.10", StringComparison.Ordinal) && l.Contains("pwd,otp,mfa", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ivyc3 ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("hankold", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task SessionsRevokeUser_RevokesAllOfThatUsersSessionsAndNoOneElses()
    {
        var id = await SeedAsync("jack", "kate");
        using var config = new CliConfig(database.ConnectionString);
        var revoked = await VigilCli.RunAsync("sessions", "revoke", "--user", "jack", "--reason", "laptop stolen", "-c", config.Path);
        Assert.True(revoked.Exit == 0, revoked.Err);
        Assert.Equal("revoked all sessions of jack (2 recorded active)", revoked.Out.Trim());
        Assert.Equal("admin:laptop stolen", await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
            $"SELECT reason FROM vigil_revocations WHERE kind = 'user' AND subject_key = '{id}'"));

        var list = JsonDocument.Parse((await VigilCli.RunAsync("sessions", "list", "--format", "json", "-c", config.Path)).Out).RootElement.EnumerateArray().ToList();
        Assert.All(list.Where(s => s.GetProperty("user").GetString() == "jack"), s => Assert.Equal("revoked", s.GetProperty("status").GetString()));
        Assert.Equal("active", list.Single(s => s.GetProperty("session_id").GetString() == "katec3").GetProperty("status").GetString());
    }

    [PostgresFact]
    public async Task SessionsRevoke_OneSessionId_MarksOnlyThatSession()
    {
        await SeedAsync("liam", "mona");
        using var config = new CliConfig(database.ConnectionString);
        var revoked = await VigilCli.RunAsync("sessions", "revoke", "liama1", "-c", config.Path);
        Assert.Equal((0, "revoked session liama1"), (revoked.Exit, revoked.Out.Trim()));
        var list = JsonDocument.Parse((await VigilCli.RunAsync("sessions", "list", "-u", "liam", "-f", "json", "-c", config.Path)).Out).RootElement.EnumerateArray()
            .ToDictionary(s => s.GetProperty("session_id").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal("revoked", list["liama1"]);
        Assert.Equal("active", list["liamb2"]);
    }

    [PostgresFact]
    public async Task Sessions_UnknownUserOrBadArguments_ClearErrors()
    {
        using var config = new CliConfig(database.ConnectionString);
        var unknown = await VigilCli.RunAsync("sessions", "list", "--user", "nobody-at-all", "-c", config.Path);
        Assert.Equal((1, "vigil: error: no such user: nobody-at-all"), (unknown.Exit, unknown.Err.Trim()));

        var neither = await VigilCli.RunAsync("sessions", "revoke", "-c", config.Path);
        Assert.Equal((2, "vigil: error: give a session id or --user NAME (one of them)"), (neither.Exit, neither.Err.Trim()));
        var both = await VigilCli.RunAsync("sessions", "revoke", "abc", "--user", "x", "-c", config.Path);
        Assert.Equal(2, both.Exit);

        var badFormat = await VigilCli.RunAsync("sessions", "list", "--format", "yaml", "-c", config.Path);
        Assert.NotEqual(0, badFormat.Exit);
        Assert.Contains("yaml", badFormat.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionsHelp_DescribesListAndRevokeOptions()
    {
        var list = await VigilCli.RunAsync("sessions", "list", "--help");
        Assert.Equal(0, list.Exit);
        Assert.Contains("--user", list.Out, StringComparison.Ordinal);
        Assert.Contains("--format", list.Out, StringComparison.Ordinal);
        var revoke = await VigilCli.RunAsync("sessions", "revoke", "--help");
        Assert.Equal(0, revoke.Exit);
        Assert.Contains("--user", revoke.Out, StringComparison.Ordinal);
        Assert.Contains("<session-id>", revoke.Out, StringComparison.Ordinal);
    }
}
