using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Configuration;
using Vigil.Server.Gateway;
using Vigil.Server.Storage;

namespace Vigil.Server.Sessions;

/// <summary>
/// Session visibility without a database write on the request path. Sign-in (rare) records the session at once.
/// Afterwards, a request that misses the <see cref="SessionCache"/> (at most every <see cref="SessionCache.MaxAge"/>
/// per cookie) only notes the session id in memory; every <see cref="FlushInterval"/> the noted ids get their
/// last-seen time in one batch, and expired sessions are pruned.
/// </summary>
internal sealed partial class SessionActivity(IServiceScopeFactory scopes, VigilConfig config, TimeProvider time, ILogger<SessionActivity> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMinutes(1);
    private const int MaxPending = 100_000;
    private ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);

    /// <summary>Raised after each flush with the number of rows updated (tests await it).</summary>
    public event Action<int>? Flushed;

    /// <summary>Notes that a session was used now (memory only).</summary>
    public void Touch(string sessionId)
    {
        var seen = _seen;
        if (seen.Count < MaxPending)
        {
            seen[sessionId] = time.GetUtcNow().ToUnixTimeSeconds();
        }
    }

    /// <summary>Records a new gateway session (called once per sign-in). A failure is logged, not thrown: the row is informational.</summary>
    public async Task RecordSignInAsync(HttpContext context, ClaimsPrincipal principal, AuthenticationProperties properties)
    {
        var sessionId = principal.FindFirst(SessionSchemes.SessionIdClaim)?.Value;
        var subject = principal.FindFirst("sub")?.Value;
        if (sessionId is null || subject is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var client = ClientAddressResolver.Resolve(context.Connection.RemoteIpAddress, config.Server.TrustedProxies, context.Request.Headers["X-Forwarded-For"]);
        var userAgent = context.Request.Headers.UserAgent.ToString();
        var session = new SessionEntity
        {
            Id = sessionId,
            Subject = subject.Length > 256 ? subject[..256] : subject,
            UserName = Cut(principal.FindFirst("preferred_username")?.Value ?? principal.FindFirst("name")?.Value ?? principal.FindFirst("email")?.Value, 256),
            CreatedAtUnix = now.ToUnixTimeSeconds(),
            ExpiresAtUnix = (properties.ExpiresUtc ?? now + config.Session.Lifetime).ToUnixTimeSeconds(),
            LastSeenAtUnix = now.ToUnixTimeSeconds(),
            ClientIp = client.ToString(),
            UserAgent = Cut(userAgent.Length == 0 ? null : userAgent, 512),
            Amr = Cut(string.Join(' ', principal.FindAll("amr").Select(c => c.Value).Distinct(StringComparer.Ordinal)), 128),
        };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await new SessionStore(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), time).RecordAsync(session, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(logger, ex, sessionId);
        }
    }

    /// <summary>Writes the noted last-seen times and prunes expired sessions.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        var pending = Interlocked.Exchange(ref _seen, new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
        await using var scope = scopes.CreateAsyncScope();
        var store = new SessionStore(scope.ServiceProvider.GetRequiredService<VigilDbContext>(), time);
        var updated = pending.IsEmpty ? 0 : await store.TouchAsync(pending, ct).ConfigureAwait(false);
        var pruned = await store.PruneAsync(ct).ConfigureAwait(false);
        if (pruned > 0)
        {
            LogPruned(logger, pruned);
        }

        Flushed?.Invoke(updated);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Last-seen is coarse by design; the next flush carries on with newer times.
                LogFlushFailed(logger, ex);
            }
        }
    }

    private static string? Cut(string? text, int max) => string.IsNullOrEmpty(text) ? null : text.Length > max ? text[..max] : text;
}
