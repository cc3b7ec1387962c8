using Microsoft.EntityFrameworkCore;
using Vigil.Server.Storage;

namespace Vigil.Server.Sessions;

/// <summary>
/// Writes and reads server-side session revocations in the store (<c>vigil_revocations</c>). Used by the server
/// (logout) and by the CLI (<c>vigil users disable</c>, <c>vigil sessions revoke</c>), which may run in another process.
/// With a <paramref name="bus"/>, each revocation is announced on it right after the store recorded it, so every node
/// applies it at once instead of at its next poll.
/// </summary>
internal sealed class RevocationStore(VigilDbContext db, TimeProvider time, RevocationBus? bus = null)
{
    public const string SessionKind = "session";
    public const string UserKind = "user";

    /// <summary>How long a revocation without a known session expiry is kept (longer than any session lifetime).</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(8);

    /// <summary>Revokes one session; its recorded row (if any) is marked revoked.</summary>
    public async Task RevokeSessionAsync(string sessionId, DateTimeOffset? sessionExpires, string reason, CancellationToken ct = default)
    {
        var (at, until) = await UpsertAsync(SessionKind, sessionId, sessionExpires, reason, ct).ConfigureAwait(false);
        await new SessionStore(db, time).MarkRevokedAsync(sessionId, Truncate(reason), ct).ConfigureAwait(false);
        if (bus is not null)
        {
            await bus.PublishAsync(RevocationMessage.ForSession(sessionId, at, until), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Revokes every session of <paramref name="userId"/> that was authenticated up to now; recorded rows are marked revoked.</summary>
    public async Task RevokeUserAsync(string userId, string reason, CancellationToken ct = default)
    {
        var (at, _) = await UpsertAsync(UserKind, userId, null, reason, ct).ConfigureAwait(false);
        await new SessionStore(db, time).MarkSubjectRevokedAsync(userId, Truncate(reason), ct).ConfigureAwait(false);
        if (bus is not null)
        {
            await bus.PublishAsync(RevocationMessage.ForUser(userId, at), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Revocations that still matter (not yet expired); expired ones are deleted.</summary>
    public async Task<List<RevocationEntity>> LoadActiveAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await db.Revocations.Where(r => r.ExpiresAtUnix <= now).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        return await db.Revocations.AsNoTracking().Where(r => r.ExpiresAtUnix > now).ToListAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Returns the revocation time and the time the row may be forgotten (Unix seconds).</summary>
    private async Task<(long At, long Until)> UpsertAsync(string kind, string key, DateTimeOffset? expires, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = (expires is { } e && e > now ? e : now + DefaultRetention).ToUnixTimeSeconds();
        reason = Truncate(reason);
        var row = await db.Revocations.FirstOrDefaultAsync(r => r.Kind == kind && r.Key == key, ct).ConfigureAwait(false);
        if (row is null)
        {
            db.Revocations.Add(new RevocationEntity { Kind = kind, Key = key, RevokedAtUnix = now.ToUnixTimeSeconds(), ExpiresAtUnix = until, Reason = reason });
        }
        else
        {
            row.RevokedAtUnix = now.ToUnixTimeSeconds();
            row.ExpiresAtUnix = Math.Max(row.ExpiresAtUnix, until);
            row.Reason = reason;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return (now.ToUnixTimeSeconds(), row?.ExpiresAtUnix ?? until);
    }

    private static string Truncate(string reason) => reason.Length > 64 ? reason[..64] : reason;
}
