using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Identity.WebAuthn;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Identity;

/// <summary>
/// Login state shared through the store, as seen by several nodes: each "node" has its own connection (context),
/// services and decision log, and all share one store and one fake clock. Run on SQLite and on PostgreSQL.
/// </summary>
internal static class SharedLoginStateScenarios
{
    public static readonly LockoutConfig Lockout = new() { MaxFailuresPerAccount = 3, MaxFailuresPerIp = 100, Window = TimeSpan.FromMinutes(10), Ban = TimeSpan.FromMinutes(1), MaxBan = TimeSpan.FromMinutes(3) };
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>One node: a connection to the shared store, a throttle and a decision log of its own.</summary>
    public sealed class Node : IAsyncDisposable
    {
        private readonly string _logPath = Path.Combine(Path.GetTempPath(), "vigil-node-" + Guid.NewGuid().ToString("N")[..8] + ".log");

        public Node(TestStore store, TimeProvider time)
        {
            Db = store.NewContext();
            Log = new DecisionLog(_logPath, NullLogger<DecisionLog>.Instance);
            Log.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
            Throttle = new LoginThrottle(Db, Lockout, time, Log, NullLogger<LoginThrottle>.Instance);
            Challenges = new WebAuthnChallengeStore(Db, time, TimeSpan.FromMinutes(2));
            Users = new UserService(Db, time);
        }

        public VigilDbContext Db { get; }
        public DecisionLog Log { get; }
        public LoginThrottle Throttle { get; }
        public WebAuthnChallengeStore Challenges { get; }
        public UserService Users { get; }

        /// <summary>The <c>ban</c> records (decision ban or unban) this node wrote for <paramref name="subject"/>.</summary>
        public async Task<List<string>> BanDecisionsAsync(string subject)
        {
            await Log.FlushAsync(TimeSpan.FromSeconds(10));
            var decisions = new List<string>();
            foreach (var line in await File.ReadAllLinesAsync(_logPath))
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.GetProperty("kind").GetString() == "ban" && root.GetProperty("subject").GetString() == subject)
                {
                    decisions.Add(root.GetProperty("decision").GetString()!);
                }
            }

            return decisions;
        }

        public async ValueTask DisposeAsync()
        {
            await Log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await Db.DisposeAsync();
            File.Delete(_logPath);
        }
    }

    /// <summary>Starts every call at the same moment (on the thread pool) and returns their results.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(IEnumerable<Func<Task<T>>> calls)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = calls.Select(call => Task.Run(async () =>
        {
            await go.Task;
            return await call();
        })).ToList();
        go.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(Timeout);
    }

    public static async Task ThrottleFailuresOnTwoNodesAddUpToABanSeenByBothAsync(TestStore store)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var a = new Node(store, time);
        await using var b = new Node(store, time);

        await a.Throttle.RecordFailureAsync("erin", "192.0.2.10");
        await b.Throttle.RecordFailureAsync("erin", "198.51.100.10");
        Assert.False(await a.Throttle.IsBannedAsync("erin", "203.0.113.1"));
        Assert.False(await b.Throttle.IsBannedAsync("erin", "203.0.113.1"));

        await a.Throttle.RecordFailureAsync("ERIN", "192.0.2.10");
        var onA = await a.Throttle.CheckAsync("erin", "203.0.113.1");
        var onB = await b.Throttle.CheckAsync("erin", "203.0.113.1");
        Assert.Equal(new BanCheck(true, TimeSpan.FromMinutes(1)), onA);
        Assert.Equal(new BanCheck(true, TimeSpan.FromMinutes(1)), onB);

        // Lifted on both when it expires, and the lift is recorded once (by whichever node saw it first).
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await b.Throttle.IsBannedAsync("erin", "203.0.113.1"));
        Assert.False(await a.Throttle.IsBannedAsync("erin", "203.0.113.1"));
        var decisions = (await a.BanDecisionsAsync("account:erin")).Concat(await b.BanDecisionsAsync("account:erin")).Order(StringComparer.Ordinal);
        Assert.Equal(["ban", "unban"], decisions);

        // The back-off is shared too: the next ban, reached from the other node, lasts twice as long.
        for (var i = 0; i < 3; i++)
        {
            await (i % 2 == 0 ? b : a).Throttle.RecordFailureAsync("erin", "192.0.2.11");
        }

        Assert.Equal(TimeSpan.FromMinutes(2), (await a.Throttle.CheckAsync("erin", "203.0.113.1")).Remaining);
    }

    public static async Task ThrottleNodesCrossingTheLimitTogether_BanIsRecordedOnceAsync(TestStore store)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var nodes = new List<Node>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                nodes.Add(new Node(store, time));
            }

            for (var round = 0; round < 3; round++)
            {
                var account = $"frank{round}";
                await nodes[0].Throttle.RecordFailureAsync(account, "192.0.2.20");
                await nodes[1].Throttle.RecordFailureAsync(account, "192.0.2.21");

                // Every node sees 2 failures and adds a third at the same moment: each may see the limit reached.
                await AllAtOnceAsync(nodes.Select(n => (Func<Task<bool>>)(async () =>
                {
                    await n.Throttle.RecordFailureAsync(account, "192.0.2.22");
                    return true;
                })));

                var bans = 0;
                foreach (var node in nodes)
                {
                    Assert.True(await node.Throttle.IsBannedAsync(account, "203.0.113.2"));
                    bans += (await node.BanDecisionsAsync("account:" + account)).Count(d => d == "ban");
                }

                Assert.Equal(1, bans);
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

    public static async Task ChallengePutOnOneNode_IsTakenOnTheOtherOnceAsync(TestStore store)
    {
        var time = new FakeTimeProvider();
        await using var a = new Node(store, time);
        await using var b = new Node(store, time);

        Assert.True(await a.Challenges.TryPutAsync("attempt:x1", WebAuthnCeremony.Assertion, "u1", "{\"challenge\":\"x1\"}"));
        Assert.Equal("{\"challenge\":\"x1\"}", await b.Challenges.TakeAsync("attempt:x1", WebAuthnCeremony.Assertion, "u1"));
        Assert.Null(await a.Challenges.TakeAsync("attempt:x1", WebAuthnCeremony.Assertion, "u1"));

        // Replaced from the other node: only the newer one is there.
        Assert.True(await a.Challenges.TryPutAsync("attempt:x2", WebAuthnCeremony.Assertion, "u1", "first"));
        Assert.True(await b.Challenges.TryPutAsync("attempt:x2", WebAuthnCeremony.Assertion, "u1", "second"));
        Assert.Equal("second", await a.Challenges.TakeAsync("attempt:x2", WebAuthnCeremony.Assertion, "u1"));

        // Expiry is the store's: a challenge put on A and taken on B after its lifetime is refused.
        Assert.True(await a.Challenges.TryPutAsync("attempt:x3", WebAuthnCeremony.Assertion, "u1", "late"));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await b.Challenges.TakeAsync("attempt:x3", WebAuthnCeremony.Assertion, "u1"));
    }

    public static async Task ChallengeTakenConcurrently_ExactlyOneGetsItAsync(TestStore store)
    {
        var time = new FakeTimeProvider();
        var nodes = new List<Node>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                nodes.Add(new Node(store, time));
            }

            for (var round = 0; round < 5; round++)
            {
                var binding = $"attempt:race{round}";
                Assert.True(await nodes[round % nodes.Count].Challenges.TryPutAsync(binding, WebAuthnCeremony.Assertion, "u1", $"options{round}"));
                var taken = await AllAtOnceAsync(nodes.Select(n => (Func<Task<string?>>)(() => n.Challenges.TakeAsync(binding, WebAuthnCeremony.Assertion, "u1"))));
                Assert.Equal([$"options{round}"], taken.Where(t => t is not null));
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

    public static async Task TotpCodeUsedOnSeveralNodesAtOnce_IsAcceptedOnceAsync(TestStore store)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var secret = UserService.NewTotpSecret();
        IReadOnlyList<string> recovery;
        await using (var setup = store.NewContext())
        {
            var users = new UserService(setup, time);
            var user = await users.AddAsync("grace", "grace-password-1", null, null, [], [], mfaRequired: true);
            recovery = await users.EnrollTotpAsync(user, secret, 0);
        }

        var nodes = new List<Node>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                nodes.Add(new Node(store, time));
            }

            for (var round = 0; round < 5; round++)
            {
                time.Advance(TimeSpan.FromSeconds(30));
                var code = VigilHarness.Totp(secret, time.GetUtcNow());

                // Each node loaded the user (and its last step) before any of them accepted the code.
                var loaded = new List<(Node Node, UserEntity User)>();
                foreach (var node in nodes)
                {
                    loaded.Add((node, (await node.Users.FindAsync("grace"))!));
                }

                var accepted = await AllAtOnceAsync(loaded.Select(l => (Func<Task<bool>>)(() => l.Node.Users.VerifySecondFactorAsync(l.User, code))));
                Assert.Equal(1, accepted.Count(x => x));

                // Reused later on any node: refused.
                Assert.False(await nodes[round % nodes.Count].Users.VerifySecondFactorAsync((await nodes[round % nodes.Count].Users.FindAsync("grace"))!, code));
            }

            // One recovery code on every node at once: accepted once.
            var users = new List<(Node Node, UserEntity User)>();
            foreach (var node in nodes)
            {
                node.Db.ChangeTracker.Clear();
                users.Add((node, (await node.Users.FindAsync("grace"))!));
            }

            var first = await AllAtOnceAsync(users.Select(l => (Func<Task<bool>>)(() => l.Node.Users.VerifySecondFactorAsync(l.User, recovery[0]))));
            Assert.Equal(1, first.Count(x => x));

            // Different codes at once on different nodes (each read the same list): both work, each once.
            var second = await AllAtOnceAsync(users.Select((l, i) => (Func<Task<bool>>)(() => l.Node.Users.VerifySecondFactorAsync(l.User, recovery[1 + (i % 2)]))));
            Assert.Equal(2, second.Count(x => x));
            await using var check = store.NewContext();
            var left = await check.Users.AsNoTracking().Where(u => u.UserName == "grace").Select(u => u.RecoveryCodes).SingleAsync();
            Assert.Equal(recovery.Count - 3, left!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
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
