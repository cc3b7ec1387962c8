using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Storage;

namespace Vigil.Server.Sessions;

/// <summary>
/// This node's view of server-side revocations, checked on every request (cache hits included) with two dictionary
/// lookups. Revocations made here (logout) take effect at once; those written by another process (the CLI) are picked
/// up from the store every <see cref="RefreshInterval"/>. A revoked session id is refused; a revoked user loses every
/// session authenticated at or before the revocation (a later login is not affected).
/// </summary>
internal sealed partial class SessionRevocations(IServiceScopeFactory scopes, TimeProvider time, ILogger<SessionRevocations> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private volatile Snapshot _store = new(new Dictionary<string, long>(StringComparer.Ordinal), new Dictionary<string, long>(StringComparer.Ordinal));
    private readonly ConcurrentDictionary<string, long> _localSessions = new(StringComparer.Ordinal);

    /// <summary>Raised after each reload from the store (tests await it).</summary>
    public event Action? Refreshed;

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

        return snapshot.Users.TryGetValue(subject.Id, out var revokedAt) &&
            (subject.AuthTime is not { } authTime || authTime.ToUnixTimeSeconds() <= revokedAt);
    }

    public bool IsSessionRevoked(string? sessionId) =>
        sessionId is not null && (_localSessions.ContainsKey(sessionId) || _store.Sessions.ContainsKey(sessionId));

    /// <summary>Revokes a session on this node at once, then records it in the store so it survives restarts.</summary>
    public async Task RevokeSessionAsync(string sessionId, DateTimeOffset? expires, string reason, CancellationToken ct = default)
    {
        _localSessions[sessionId] = (expires ?? time.GetUtcNow() + RevocationStore.DefaultRetention).ToUnixTimeSeconds();
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
        using var timer = new PeriodicTimer(RefreshInterval, time);
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
