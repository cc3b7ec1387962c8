using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Storage;

namespace Vigil.Server.Sessions;

/// <summary>
/// This node's view of server-side revocations, checked on every request (cache hits included) with a few dictionary
/// lookups. Revocations made here (logout) take effect at once; those written by another process (another node, the
/// CLI) are picked up from the store every <see cref="RefreshInterval"/> and, when a <c>redis</c> section is
/// configured, at once from the revocation bus (<see cref="ApplyFromBus"/>). A revoked session id is refused; a revoked
/// user loses every session authenticated at or before the revocation (a later login is not affected).
/// </summary>
internal sealed partial class SessionRevocations(IServiceScopeFactory scopes, TimeProvider time, ILogger<SessionRevocations> logger, RevocationBus? bus = null, TimeSpan? refreshInterval = null) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>Most revocations held from the bus that the store does not show yet (a flood cannot exhaust memory).</summary>
    public const int MaxAnnounced = 100_000;

    private volatile Snapshot _store = new(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, long>(StringComparer.Ordinal));

    // Session id -> Unix time the entry may be forgotten: logouts on this node and sessions announced on the bus, kept
    // until the store shows them (or they expire), so a reload that read the store just before they were written
    // cannot drop them.
    private readonly ConcurrentDictionary<string, long> _localSessions = new(StringComparer.Ordinal);

    // User id -> revoked-at (Unix seconds) announced on the bus, kept until the store shows the same or a later time.
    private readonly ConcurrentDictionary<string, long> _announcedUsers = new(StringComparer.Ordinal);

    /// <summary>Raised after each reload from the store (tests await it).</summary>
    public event Action? Refreshed;

    /// <summary>Raised after a revocation from the bus was applied (tests await it).</summary>
    public event Action<RevocationMessage>? Applied;

    public bool IsRevoked(Subject subject)
    {
        if (!subject.IsAuthenticated)
        {
            return false;
        }

        var snapshot = _store;
        if (subject.SessionId is { } sid && (_localSessions.ContainsKey(sid) || snapshot.Sessions.ContainsKey(sid)))
        {
            return true;
        }

        var revoked = snapshot.Users.TryGetValue(subject.Id, out var revokedAt);
        if (_announcedUsers.TryGetValue(subject.Id, out var announced) && (!revoked || announced > revokedAt))
        {
            (revoked, revokedAt) = (true, announced);
        }

        return revoked && (subject.AuthTime is not { } authTime || authTime.ToUnixTimeSeconds() <= revokedAt);
    }

    public bool IsSessionRevoked(string? sessionId) =>
        sessionId is not null && (_localSessions.ContainsKey(sessionId) || _store.Sessions.ContainsKey(sessionId));

    /// <summary>
    /// Revokes a session on this node at once, records it in the store so it survives restarts, then announces it on
    /// the bus (also when the store write failed: other nodes then still refuse the cookie until they restart).
    /// </summary>
    public async Task RevokeSessionAsync(string sessionId, DateTimeOffset? expires, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var until = (expires is { } e && e > now ? e : now + RevocationStore.DefaultRetention).ToUnixTimeSeconds();
        _localSessions[sessionId] = until;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            await new RevocationStore(db, time).RevokeSessionAsync(sessionId, expires, reason, ct).ConfigureAwait(false);
            LogSessionRevoked(logger, sessionId, reason);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Still revoked on this node (above); the user is signed out regardless, so say loudly what is not durable.
            LogRevocationNotStored(logger, ex, sessionId);
        }

        if (bus is not null)
        {
            // Not the request's token: a client that hangs up mid-logout must not keep the other nodes from knowing.
            await bus.PublishAsync(RevocationMessage.ForSession(sessionId, now.ToUnixTimeSeconds(), until), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies a revocation announced on the bus, with the effect the next reload from the store would have. It can
    /// only add: a session stays revoked until the later of the two expiry times; a user's revocation time only moves
    /// forward, and never past this node's clock (a message from the future cannot lock out later logins). False with a
    /// reason when the message changes nothing it could (already expired) or too many are pending.
    /// </summary>
    public bool ApplyFromBus(RevocationMessage message, out string reason)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var fresh = message.Kind switch
        {
            RevocationMessageKind.Session => !_localSessions.ContainsKey(message.Id),
            RevocationMessageKind.User => !_announcedUsers.ContainsKey(message.Id),
            _ => false,
        };
        if (fresh && _localSessions.Count + _announcedUsers.Count >= MaxAnnounced)
        {
            reason = $"more than {MaxAnnounced} announced revocations are waiting for the store";
            return false;
        }

        switch (message.Kind)
        {
            case RevocationMessageKind.Session:
                var expires = Math.Min(message.Expires ?? 0, now + (long)RevocationStore.DefaultRetention.TotalSeconds);
                if (expires <= now)
                {
                    reason = "the revocation has already expired";
                    return false;
                }

                _localSessions.AddOrUpdate(message.Id, expires, (_, known) => Math.Max(known, expires));
                break;
            case RevocationMessageKind.User:
                var at = Math.Min(message.At, now);
                _announcedUsers.AddOrUpdate(message.Id, at, (_, known) => Math.Max(known, at));
                break;
            default:
                reason = "not a revocation";
                return false;
        }

        reason = "";
        Applied?.Invoke(message);
        return true;
    }

    /// <summary>Reloads revocations from the store (also written by other processes).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var rows = await new RevocationStore(db, time).LoadActiveAsync(ct).ConfigureAwait(false);
        var sessions = new Dictionary<string, long>(StringComparer.Ordinal);
        var users = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            (row.Kind == RevocationStore.UserKind ? users : sessions)[row.Key] = row.RevokedAtUnix;
        }

        _store = new Snapshot(sessions, users);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var (sid, expires) in _localSessions)
        {
            if (expires <= now || sessions.ContainsKey(sid))
            {
                _localSessions.TryRemove(sid, out _);
            }
        }

        var retention = (long)RevocationStore.DefaultRetention.TotalSeconds;
        foreach (var (user, at) in _announcedUsers)
        {
            if (at + retention <= now || (users.TryGetValue(user, out var stored) && stored >= at))
            {
                _announcedUsers.TryRemove(new KeyValuePair<string, long>(user, at));
            }
        }

        Refreshed?.Invoke();
    }

    /// <summary>Loads the store before the server accepts requests (fails the start if it cannot: fail closed).</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(refreshInterval ?? RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep the last good view; revocations made on this node stay in force regardless.
                LogRefreshFailed(logger, ex);
            }
        }
    }

    private sealed record Snapshot(Dictionary<string, long> Sessions, Dictionary<string, long> Users);
}
