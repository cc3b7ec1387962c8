using Microsoft.EntityFrameworkCore;
using Vigil.Server.Storage;

namespace Vigil.Server.Sessions;

/// <summary>
/// Recorded gateway sessions (<c>vigil_sessions</c>): written at sign-in, last-seen updated in batches by
/// <see cref="SessionActivity"/>, listed and revoked by the CLI, pruned at expiry.
/// </summary>
internal sealed class SessionStore(VigilDbContext db, TimeProvider time)
{
    public async Task RecordAsync(SessionEntity session, CancellationToken ct = default)
    {
        db.Sessions.Add(session);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Sets last-seen (never backwards) for each session id; one statement per distinct timestamp.</summary>
    public async Task<int> TouchAsync(IReadOnlyDictionary<string, long> lastSeen, CancellationToken ct = default)
    {
        var updated = 0;
        foreach (var group in lastSeen.GroupBy(kv => kv.Value))
        {
            var at = group.Key;
            foreach (var chunk in group.Select(kv => kv.Key).Chunk(500))
            {
                updated += await db.Sessions.Where(s => chunk.Contains(s.Id) && s.LastSeenAtUnix < at)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAtUnix, at), ct).ConfigureAwait(false);
            }
        }

        return updated;
    }

    /// <summary>Deletes sessions whose cookie has expired; returns how many.</summary>
    public Task<int> PruneAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return db.Sessions.Where(s => s.ExpiresAtUnix <= now).ExecuteDeleteAsync(ct);
    }

    /// <summary>Unexpired sessions, newest first; of one subject when given.</summary>
    public Task<List<SessionEntity>> ListAsync(string? subject = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var query = db.Sessions.AsNoTracking().Where(s => s.ExpiresAtUnix > now);
        if (subject is not null)
        {
            query = query.Where(s => s.Subject == subject);
        }

        return query.OrderByDescending(s => s.CreatedAtUnix).ThenBy(s => s.Id).ToListAsync(ct);
    }

    /// <summary>The subjects of unexpired sessions recorded under a user name (users of an external provider).</summary>
    public Task<List<string>> SubjectsByUserNameAsync(string userName, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return db.Sessions.AsNoTracking().Where(s => s.UserName == userName && s.ExpiresAtUnix > now).Select(s => s.Subject).Distinct().ToListAsync(ct);
    }

    /// <summary>Marks one session revoked (the revocation itself is in <see cref="RevocationStore"/>).</summary>
    public Task<int> MarkRevokedAsync(string sessionId, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return db.Sessions.Where(s => s.Id == sessionId && s.RevokedAtUnix == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAtUnix, now).SetProperty(x => x.RevokedReason, reason), ct);
    }

    /// <summary>Marks every session of <paramref name="subject"/> created up to now revoked.</summary>
    public Task<int> MarkSubjectRevokedAsync(string subject, string reason, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return db.Sessions.Where(s => s.Subject == subject && s.CreatedAtUnix <= now && s.RevokedAtUnix == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAtUnix, now).SetProperty(x => x.RevokedReason, reason), ct);
    }
}
