using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Cli.Tests.Infrastructure;
using Vigil.Server;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;
using Vigil.Tests.Shared;
using Xunit.Abstractions;

namespace Vigil.Cli.Tests.Sessions;

/// <summary>
/// The CLI revokes in its own process; with a <c>redis</c> section in the configuration it also announces the
/// revocation, so a running node applies it at once (this node never polls the store during the test).
/// </summary>
public sealed class RevocationBusCliTests(PostgresTestDatabase database, ITestOutputHelper output) : IClassFixture<PostgresTestDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private sealed class Node : IAsyncDisposable
    {
        public required string Directory { get; init; }
        public required string ConfigPath { get; init; }
        public required VigilServer Server { get; init; }

        public SessionRevocations Revocations => Server.Services.GetRequiredService<SessionRevocations>();

        public async ValueTask DisposeAsync()
        {
            await Server.StopAsync().WaitAsync(Wait);
            await Server.DisposeAsync();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<Node> StartNodeAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-cli-bus-").FullName;
        var port = FreePort();

        var path = Path.Combine(dir, "vigil.yaml");
        File.WriteAllText(path, $"""
            version: 1
            server: {"{"} listen: ["http://127.0.0.1:{port}"], data_dir: ./data {"}"}
            audit: {"{"} path: ./data/decisions.log {"}"}
            {PostgresTestDatabase.StorageYaml(database.ConnectionString, dir)}
            {RedisTestServer.Yaml(RedisTestServer.Shared, RedisTestServer.NewPrefix())}
            """);
        var server = VigilServer.Create(ConfigLoader.LoadFile(path), new VigilServerOptions { RevocationRefreshInterval = TimeSpan.FromHours(1) });
        await server.StartAsync().WaitAsync(Wait);
        var node = new Node { Directory = dir, ConfigPath = path, Server = server };
        var listenerService = server.Services.GetRequiredService<RevocationListener>();
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listenerService.Live += () => live.TrySetResult();
        if (listenerService.IsLive)
        {
            live.TrySetResult();
        }

        await live.Task.WaitAsync(Wait);
        return node;
    }

    private static Task<RevocationMessage> AppliedAsync(Node node, string id)
    {
        var applied = new TaskCompletionSource<RevocationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Revocations.Applied += m =>
        {
            if (m.Id == id)
            {
                applied.TrySetResult(m);
            }
        };
        return applied.Task;
    }

    [RedisFact]
    public async Task UsersDisable_WithRedisConfigured_IsAppliedOnARunningNodeAtOnce()
    {
        await using var node = await StartNodeAsync();
        string id;
        await using (var db = new VigilDbContext(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = database.ConnectionString }, Path.GetTempPath())))
        {
            id = (await new UserService(db, TimeProvider.System).AddAsync("busy", "busy-password-1", null, null, ["engineer"], [], false)).Id;
        }

        var session = new Subject { Id = id, Type = "user", AuthTime = DateTimeOffset.UtcNow.AddSeconds(-5), SessionId = "busysession1" };
        Assert.False(node.Revocations.IsRevoked(session));
        var applied = AppliedAsync(node, id);

        var clock = Stopwatch.StartNew();
        var appliedAt = TimeSpan.Zero;
        node.Revocations.Applied += m =>
        {
            if (m.Id == id)
            {
                appliedAt = clock.Elapsed;
            }
        };
        var result = await VigilCli.RunAsync("users", "disable", "busy", "-c", node.ConfigPath);
        var exited = clock.Elapsed;
        Assert.True(result.Exit == 0, result.Err);
        Assert.DoesNotContain("warning", result.Err, StringComparison.Ordinal);
        var message = await applied.WaitAsync(Wait);

        Assert.Equal(RevocationMessageKind.User, message.Kind);
        Assert.True(node.Revocations.IsRevoked(session));
        output.WriteLine($"the node applied the revocation {appliedAt.TotalMilliseconds:F0} ms after the CLI process started; the process exited after {exited.TotalMilliseconds:F0} ms");
    }

    [RedisFact]
    public async Task SessionsRevoke_WithRedisConfigured_IsAppliedOnARunningNodeAtOnce()
    {
        await using var node = await StartNodeAsync();
        const string sid = "0123456789abcdef0123456789abcd01";
        Assert.False(node.Revocations.IsSessionRevoked(sid));
        var applied = AppliedAsync(node, sid);

        var result = await VigilCli.RunAsync("sessions", "revoke", sid, "-c", node.ConfigPath);
        Assert.True(result.Exit == 0, result.Err);
        await applied.WaitAsync(Wait);
        Assert.True(node.Revocations.IsSessionRevoked(sid));
    }

    [RedisFact]
    public async Task UsersDisable_RedisUnreachable_StillRevokesInTheStoreAndWarns()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-cli-bus-").FullName;
        try
        {
            var port = FreePort();

            var path = Path.Combine(dir, "vigil.yaml");
            File.WriteAllText(path, $"""
                version: 1
                server: {"{"} listen: ["http://127.0.0.1:8080"] {"}"}
                {PostgresTestDatabase.StorageYaml(database.ConnectionString, dir)}
                redis: {"{"} connection_string: "127.0.0.1:{port},password=unused-secret-1" {"}"}
                """);
            await using (var db = new VigilDbContext(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = database.ConnectionString }, Path.GetTempPath())))
            {
                await db.EnsureSchemaAsync();
                await new UserService(db, TimeProvider.System).AddAsync("nobus", "nobus-password-1", null, null, [], [], false);
            }

            var result = await VigilCli.RunAsync("users", "disable", "nobus", "-c", path);
            Assert.True(result.Exit == 0, result.Err);
            Assert.Contains($"127.0.0.1:{port}", result.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("unused-secret-1", result.Err + result.Out, StringComparison.Ordinal);
            Assert.Equal("user_disabled", await PostgresTestDatabase.ScalarAsync(database.ConnectionString,
                "SELECT r.reason FROM vigil_revocations r JOIN vigil_users u ON u.\"Id\" = r.subject_key WHERE u.\"UserName\" = 'nobus'"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
