using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Server.Sessions;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Sessions;

/// <summary>Starts Vigil nodes that share one PostgreSQL database, one data folder (keys) and one Redis channel.</summary>
internal sealed class RedisBusTestNodes(string postgres, string redis) : IAsyncDisposable
{
    /// <summary>Long enough that no periodic reload happens during a test: only the bus (or the re-read on subscribing) can tell.</summary>
    public static readonly TimeSpan NoPolling = TimeSpan.FromHours(1);

    private readonly string _shared = Directory.CreateTempSubdirectory("vigil-shared-").FullName;
    private readonly string _prefix = RedisTestServer.NewPrefix();
    private readonly List<VigilHarness> _nodes = [];

    public string Prefix => _prefix;

    public string Channel => _prefix + ":revocations";

    public string RedisYaml => RedisTestServer.Yaml(redis, _prefix);

    /// <summary>Starts a node (behind the first node's public URL) and waits until its subscription is live.</summary>
    public async Task<VigilHarness> StartAsync(TimeSpan? refreshInterval = null, bool waitLive = true)
    {
        var node = await VigilHarness.StartAsync(new HarnessOptions
        {
            StorageYaml = PostgresTestDatabase.StorageYaml(postgres, _shared),
            RedisYaml = RedisYaml,
            SharedDataDir = _shared,
            PublicUrl = _nodes.Count > 0 ? _nodes[0].BaseUrl : null,
            SeedAlice = false,
            RevocationRefreshInterval = refreshInterval,
        });
        _nodes.Add(node);
        if (waitLive)
        {
            await LiveAsync(node).WaitAsync(TimeSpan.FromSeconds(30));
        }

        return node;
    }

    public static SessionRevocations Revocations(VigilHarness node) => node.Server.Services.GetRequiredService<SessionRevocations>();

    public static RevocationListener Listener(VigilHarness node) => node.Server.Services.GetRequiredService<RevocationListener>();

    public static RevocationBus Bus(VigilHarness node) => node.Server.Services.GetRequiredService<RevocationBus>();

    /// <summary>Completes when the node's subscription is live (at once if it already is).</summary>
    public static Task LiveAsync(VigilHarness node)
    {
        var listener = Listener(node);
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Live += () => live.TrySetResult();
        if (listener.IsLive)
        {
            live.TrySetResult();
        }

        return live.Task;
    }

    /// <summary>Completes at the next time the node becomes live (after a reconnect).</summary>
    public static Task NextLiveAsync(VigilHarness node)
    {
        var live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Listener(node).Live += () => live.TrySetResult();
        return live.Task;
    }

    /// <summary>Completes when the bus applied a revocation of <paramref name="id"/> on the node.</summary>
    public static Task<RevocationMessage> AppliedAsync(VigilHarness node, string id)
    {
        var applied = new TaskCompletionSource<RevocationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        Revocations(node).Applied += m =>
        {
            if (m.Id == id)
            {
                applied.TrySetResult(m);
            }
        };
        return applied.Task;
    }

    /// <summary>Completes at the second reload that starts after this call (so it surely read what was written before).</summary>
    public static Task NextFullRefreshAsync(VigilHarness node)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        Revocations(node).Refreshed += () =>
        {
            if (Interlocked.Increment(ref count) == 2)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }

    /// <summary>Counts the node's reloads from the store from now on.</summary>
    public static Func<int> CountRefreshes(VigilHarness node)
    {
        var count = 0;
        Revocations(node).Refreshed += () => Interlocked.Increment(ref count);
        return () => Volatile.Read(ref count);
    }

    public static async Task<HttpStatusCode> ReplayAsync(VigilHarness node, string cookie, string path)
    {
        using var client = node.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "__vigil_session=" + cookie);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        return response.StatusCode;
    }

    /// <summary>Signs a new user in on <paramref name="node"/>; returns the user's id and the session cookie.</summary>
    public static async Task<(string UserId, string Cookie, BrowserClient Browser)> SignInAsync(VigilHarness node, string user)
    {
        await node.AddUserAsync(user, user + "-password-1", ["engineer"], []);
        var browser = node.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/t?marker=" + user, user, user + "-password-1")).Status);
        await using var scope = node.Server.Services.CreateAsyncScope();
        var id = (await scope.ServiceProvider.GetRequiredService<Vigil.Server.Identity.UserService>().FindAsync(user))!.Id;
        return (id, browser.CookieValue(node.BaseUrl, "__vigil_session")!, browser);
    }

    /// <summary>The session id of a cookie, as the node sees it (/.vigil/session).</summary>
    public static async Task<string> SessionIdAsync(VigilHarness node, string cookie)
    {
        using var client = node.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.vigil/session");
        request.Headers.Add("Cookie", "__vigil_session=" + cookie);
        using var response = await client.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(30));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("session_id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_shared, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
