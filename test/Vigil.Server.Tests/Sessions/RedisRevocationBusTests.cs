using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;
using Xunit.Abstractions;
using static Vigil.Server.Tests.Sessions.RedisBusTestNodes;

namespace Vigil.Server.Tests.Sessions;

/// <summary>
/// Nodes sharing one PostgreSQL store and one Redis: revocations travel on the bus at once. Unless a test says
/// otherwise the nodes never poll the store during the test (<see cref="RedisBusTestNodes.NoPolling"/>), so only the bus
/// can have carried a revocation.
/// </summary>
public sealed class RedisRevocationBusTests(PostgresTestDatabase database, ITestOutputHelper output) : IClassFixture<PostgresTestDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [RedisFact]
    public async Task Logout_OnNodeA_IsRefusedByNodeBThroughTheBusWithoutAPoll()
    {
        await using var nodes = new RedisBusTestNodes(database.ConnectionString, RedisTestServer.Shared);
        var a = await nodes.StartAsync(NoPolling);
        var b = await nodes.StartAsync(NoPolling);
        var (_, cookie, browser) = await SignInAsync(a, "bus1");
        using (browser)
        {
            Assert.Equal(HttpStatusCode.OK, await ReplayAsync(b, cookie, "/t?marker=bus1-b"));
            var sid = await SessionIdAsync(a, cookie);
            var applied = AppliedAsync(b, sid);
            var refreshesOnB = CountRefreshes(b);

            var clock = Stopwatch.StartNew();
            await browser.GetAsync("/.vigil/logout");
            var loggedOut = clock.Elapsed;
            await applied.WaitAsync(Wait);
            var appliedAfter = clock.Elapsed;
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(b, cookie, "/t?marker=bus1-b2"));
            var refusedAfter = clock.Elapsed;

            Assert.Equal(0, refreshesOnB());
            Assert.DoesNotContain(b.Upstream.Received, r => r.RawTarget.Contains("marker=bus1-b2", StringComparison.Ordinal));
            output.WriteLine($"logout on A answered after {loggedOut.TotalMilliseconds:F1} ms; applied on B after {appliedAfter.TotalMilliseconds:F1} ms; " +
                $"B refused the cookie after {refusedAfter.TotalMilliseconds:F1} ms (poll interval 2 s, not used here)");

            // The bus alone: from A's publish to B's view, for 50 revocations.
            var times = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var id = "measure" + i + Guid.NewGuid().ToString("N");
                var seen = AppliedAsync(b, id);
                var start = Stopwatch.GetTimestamp();
                Assert.True(await Bus(a).PublishAsync(RevocationMessage.ForSession(id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds())).WaitAsync(Wait));
                await seen.WaitAsync(Wait);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Assert.True(Revocations(b).IsSessionRevoked(id));
            }

            times.Sort();
            output.WriteLine($"publish on A -> applied on B, 50 revocations: median {times[25]:F2} ms, max {times[^1]:F2} ms");
        }
    }

    [RedisFact]
    public async Task UserDisabledThroughTheCliPath_IsRefusedOnARunningNodeAtOnce()
    {
        await using var nodes = new RedisBusTestNodes(database.ConnectionString, RedisTestServer.Shared);
        var a = await nodes.StartAsync(NoPolling);
        var (userId, cookie, browser) = await SignInAsync(a, "bus2");
        using (browser)
        {
            Assert.Equal(HttpStatusCode.OK, await ReplayAsync(a, cookie, "/t?marker=bus2-1"));
            var applied = AppliedAsync(a, userId);

            // What `vigil users disable bus2 -c vigil.yaml` does in its own process: the store, then the bus.
            var config = Vigil.Server.Configuration.ConfigLoader.LoadFile(a.ConfigPath);
            await using (var db = new Vigil.Server.Storage.VigilDbContext(Vigil.Server.Storage.VigilDbContext.CreateOptions(config.Storage, config.Server.DataDir)))
            await using (var bus = new RevocationBus(config.Redis!, Microsoft.Extensions.Logging.Abstractions.NullLogger<RevocationBus>.Instance))
            {
                Assert.True(await new UserService(db, TimeProvider.System) { Bus = bus }.SetDisabledAsync("bus2", true).WaitAsync(Wait));
            }

            var message = await applied.WaitAsync(Wait);
            Assert.Equal(RevocationMessageKind.User, message.Kind);
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(a, cookie, "/t?marker=bus2-2"));
            Assert.DoesNotContain(a.Upstream.Received, r => r.RawTarget.Contains("marker=bus2-2", StringComparison.Ordinal));
        }
    }

    [RedisFact]
    public async Task RedisDown_RevocationsArriveByPolling_AndAfterRestartTheBusIsInstantAgain()
    {
        await using var redis = await RedisTestServer.StartPrivateAsync();
        await using var nodes = new RedisBusTestNodes(database.ConnectionString, redis.ConnectionString);
        var a = await nodes.StartAsync(NoPolling);
        var polling = await nodes.StartAsync(); // polls the store every 2 s
        var silent = await nodes.StartAsync(NoPolling); // only the bus, and the re-read on subscribing
        var (_, cookie1, browser1) = await SignInAsync(a, "bus3a");
        var (_, cookie2, browser2) = await SignInAsync(a, "bus3b");
        using (browser1)
        using (browser2)
        {
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Bus(polling).ConnectionLost += () => lost.TrySetResult();
            var lostSilent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Bus(silent).ConnectionLost += () => lostSilent.TrySetResult();
            var lostA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Bus(a).ConnectionLost += () => lostA.TrySetResult();
            await redis.PauseAsync();
            await Task.WhenAll(lost.Task, lostSilent.Task, lostA.Task).WaitAsync(Wait);
            Assert.False(Listener(polling).IsLive);

            // Down: the revocation reaches the polling node through the store, and nodes keep serving.
            var refreshed = NextFullRefreshAsync(polling);
            await browser1.GetAsync("/.vigil/logout");
            await refreshed.WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(polling, cookie1, "/t?marker=bus3-1"));
            Assert.Equal(HttpStatusCode.OK, await ReplayAsync(silent, cookie2, "/t?marker=bus3-2"));

            // Back: each node resubscribes by itself and reads the store once, so the silent node catches up too.
            var back = Task.WhenAll(NextLiveAsync(a), NextLiveAsync(polling), NextLiveAsync(silent));
            await redis.ResumeAsync();
            await back.WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(silent, cookie1, "/t?marker=bus3-3"));

            // And a new revocation is instant again.
            var sid2 = await SessionIdAsync(a, cookie2);
            var applied = Task.WhenAll(AppliedAsync(polling, sid2), AppliedAsync(silent, sid2));
            await browser2.GetAsync("/.vigil/logout");
            await applied.WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(silent, cookie2, "/t?marker=bus3-4"));
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(polling, cookie2, "/t?marker=bus3-5"));
        }
    }

    [RedisFact]
    public async Task RedisDownAtStart_NodeStartsAndServes_AndSubscribesOnceRedisIsUp()
    {
        await using var redis = await RedisTestServer.StartPrivateAsync();
        await redis.PauseAsync();
        await using var nodes = new RedisBusTestNodes(database.ConnectionString, redis.ConnectionString);
        var a = await nodes.StartAsync(NoPolling, waitLive: false);
        var (_, cookie, browser) = await SignInAsync(a, "bus5");
        using (browser)
        {
            Assert.False(Listener(a).IsLive);
            Assert.Equal(HttpStatusCode.OK, await ReplayAsync(a, cookie, "/t?marker=bus5-1"));

            var live = NextLiveAsync(a);
            await redis.ResumeAsync();
            await live.WaitAsync(Wait);
            var (userId, _, other) = await SignInAsync(a, "bus5b");
            other.Dispose();
            var applied = AppliedAsync(a, userId);
            await using (var scope = a.Server.Services.CreateAsyncScope())
            {
                Assert.True(await scope.ServiceProvider.GetRequiredService<UserService>().SetDisabledAsync("bus5b", true));
            }

            Assert.Equal(RevocationMessageKind.User, (await applied.WaitAsync(Wait)).Kind);
        }
    }

    [RedisFact]
    public async Task HostileMessages_ChangeNothing()
    {
        await using var nodes = new RedisBusTestNodes(database.ConnectionString, RedisTestServer.Shared);
        var a = await nodes.StartAsync(NoPolling);
        var b = await nodes.StartAsync(NoPolling);
        var (_, live, liveBrowser) = await SignInAsync(a, "bus4a");
        var (_, revoked, revokedBrowser) = await SignInAsync(a, "bus4b");
        var (revokedUser, userCookie, userBrowser) = await SignInAsync(a, "bus4c");
        using (liveBrowser)
        using (revokedBrowser)
        using (userBrowser)
        {
            var liveSid = await SessionIdAsync(a, live);
            var revokedSid = await SessionIdAsync(a, revoked);
            var sessionApplied = AppliedAsync(b, revokedSid);
            await revokedBrowser.GetAsync("/.vigil/logout");
            await sessionApplied.WaitAsync(Wait);
            var userApplied = AppliedAsync(b, revokedUser);
            await using (var scope = a.Server.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<UserService>().UpdateAsync("bus4c", ["viewer"], null, null, null);
            }

            await userApplied.WaitAsync(Wait);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            string[] hostile =
            [
                "not json at all \u0001\u00ff",
                "{\"v\":1,\"type\":\"session\",\"id\":\"" + liveSid + "\",\"at\":" + now + ",\"expires\":" + (now + 3600) + "," + new string(' ', 2_000_000) + "\"pad\":1}",
                "{\"v\":2,\"type\":\"session\",\"id\":\"" + liveSid + "\",\"at\":" + now + ",\"expires\":" + (now + 3600) + "}",
                "{\"type\":\"session\",\"id\":\"" + liveSid + "\",\"at\":" + now + ",\"expires\":" + (now + 3600) + "}",
                "{\"v\":1,\"type\":\"unrevoke\",\"id\":\"" + revokedSid + "\",\"at\":" + now + "}",
                "{\"v\":1,\"type\":\"session\",\"id\":\"" + revokedSid + "\",\"at\":" + now + ",\"expires\":" + (now - 10) + "}",
                "{\"v\":1,\"type\":\"user\",\"id\":\"" + revokedUser + "\",\"at\":1000000000}",
                "{\"v\":1,\"type\":\"session\",\"id\":\"" + liveSid + "\",\"id\":\"x\",\"at\":" + now + ",\"expires\":" + (now + 3600) + "}",
                "{\"v\":1,\"type\":\"session\",\"id\":{\"$ne\":null},\"at\":" + now + ",\"expires\":" + (now + 3600) + "}",
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                "{\"v\":1,\"type\":\"probe\",\"id\":\"someone-else-1\",\"at\":" + now + "}",
            ];
            var handled = 0;
            var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Listener(b).Handled += _ =>
            {
                if (Interlocked.Increment(ref handled) == hostile.Length)
                {
                    allHandled.TrySetResult();
                }
            };
            var applied = 0;
            Revocations(b).Applied += _ => Interlocked.Increment(ref applied);

            await using (var raw = await ConnectionMultiplexer.ConnectAsync(RedisTestServer.Shared).WaitAsync(Wait))
            {
                foreach (var message in hostile)
                {
                    await raw.GetSubscriber().PublishAsync(RedisChannel.Literal(nodes.Channel), Encoding.UTF8.GetBytes(message)).WaitAsync(Wait);
                }
            }

            await allHandled.Task.WaitAsync(Wait);
            Assert.Equal(1, Volatile.Read(ref applied)); // only the old-dated user revocation is well-formed; it moves nothing back
            Assert.Equal(HttpStatusCode.OK, await ReplayAsync(b, live, "/t?marker=bus4-live"));
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(b, revoked, "/t?marker=bus4-revoked"));
            Assert.Equal(HttpStatusCode.Unauthorized, await ReplayAsync(b, userCookie, "/t?marker=bus4-user"));
            Assert.True(Listener(b).IsLive);
            using var health = await b.Api().GetAsync("/.vigil/health").WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }
}
