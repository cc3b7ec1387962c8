using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>Nodes started at the same moment on one empty PostgreSQL database all come up (schema and client registration race).</summary>
public sealed class PostgresConcurrentStartTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    [PostgresFact]
    public async Task Start_ThreeNodesAtOnceOnAnEmptyDatabase_AllStart()
    {
        var shared = Directory.CreateTempSubdirectory("vigil-shared-").FullName;
        var storage = PostgresTestDatabase.StorageYaml(database.ConnectionString, shared);

        // Keys are provisioned once for all nodes (as docs/operations.md says); the race under test is the store's.
        await (await VigilHarness.StartAsync(new HarnessOptions { SharedDataDir = shared, SeedAlice = false })).DisposeAsync();

        var starts = Enumerable.Range(0, 3).Select(_ => VigilHarness.StartAsync(new HarnessOptions { StorageYaml = storage, SharedDataDir = shared, SeedAlice = false })).ToList();
        var nodes = new List<VigilHarness>();
        try
        {
            foreach (var start in starts)
            {
                nodes.Add(await start.WaitAsync(TimeSpan.FromSeconds(90)));
            }

            foreach (var node in nodes)
            {
                using var api = node.Api();
                using var response = await api.GetAsync("/.well-known/openid-configuration");
                Assert.True(response.IsSuccessStatusCode);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
