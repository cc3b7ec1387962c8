using Microsoft.EntityFrameworkCore;
using Vigil.Server.Storage;

namespace Vigil.Server.Identity.WebAuthn;

/// <summary>The two WebAuthn ceremonies.</summary>
internal enum WebAuthnCeremony
{
    Registration,
    Assertion,
}

/// <summary>
/// Outstanding WebAuthn challenges, in the store (table <c>vigil_webauthn_challenges</c>), so the options can be served
/// by one node and the browser's answer verified by another. A challenge is bound to one login attempt or provider
/// session (the <c>binding</c>), one user and one ceremony; it is handed out once (taking it deletes it in one
/// statement, whether or not the response that follows verifies, so of two concurrent takes exactly one gets it) and
/// expires after <see cref="Lifetime"/>. A new challenge for the same binding replaces the earlier one, so each attempt
/// has at most one. The table is bounded: when it holds <c>capacity</c> live challenges, new ones are refused rather
/// than evicting another user's. Each put also deletes a bounded batch of expired rows.
/// </summary>
internal sealed class WebAuthnChallengeStore(VigilDbContext db, TimeProvider time, TimeSpan lifetime, int capacity = WebAuthnChallengeStore.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    /// <summary>Attempts of a take while SQLite reports another writer (about 0.3 s in all).</summary>
    private const int BusyRetries = 10;

    /// <summary>Expired rows deleted per put at most (keeps the work of one request bounded).</summary>
    public const int PruneBatch = 100;

    public TimeSpan Lifetime => lifetime;

    /// <summary>Rows in the table, expired ones not yet pruned included.</summary>
    public Task<int> CountAsync(CancellationToken ct = default) => db.WebAuthnChallenges.CountAsync(ct);

    /// <summary>
    /// Stores the options of a new ceremony, replacing the binding's earlier challenge; false when the table is full of
    /// live challenges. Throws when the store cannot be used (the caller refuses the ceremony).
    /// </summary>
    public async Task<bool> TryPutAsync(string binding, WebAuthnCeremony ceremony, string userId, string optionsJson, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await db.WebAuthnChallenges.Where(c => c.ExpiresAtMs <= now).OrderBy(c => c.ExpiresAtMs).Take(PruneBatch).ExecuteDeleteAsync(ct).ConfigureAwait(false);

        // Checked before writing, so nodes racing for the last places may overshoot by a few: a bound, not a quota.
        var live = await db.WebAuthnChallenges.CountAsync(c => c.ExpiresAtMs > now && c.Binding != binding, ct).ConfigureAwait(false);
        if (live >= capacity)
        {
            return false;
        }

        // One statement, the same on SQLite and PostgreSQL: two puts for one binding leave exactly one row.
        var expires = now + (long)lifetime.TotalMilliseconds;
        var kind = (int)ceremony;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO vigil_webauthn_challenges (binding, ceremony, user_id, options_json, expires_at_ms)
            VALUES ({binding}, {kind}, {userId}, {optionsJson}, {expires})
            ON CONFLICT (binding) DO UPDATE SET ceremony = excluded.ceremony, user_id = excluded.user_id,
                options_json = excluded.options_json, expires_at_ms = excluded.expires_at_ms
            """, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes and returns the options stored for <paramref name="binding"/> when they belong to this user and
    /// ceremony and have not expired; otherwise null (the row is deleted all the same: one try per challenge).
    /// </summary>
    public async Task<string?> TakeAsync(string binding, WebAuthnCeremony ceremony, string userId, CancellationToken ct = default)
    {
        // DELETE ... RETURNING (PostgreSQL, SQLite 3.35+): reading and removing are one atomic step, so a challenge
        // cannot be used twice even by two nodes taking it at the same moment.
        List<TakenChallenge> rows;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                rows = await db.Database.SqlQuery<TakenChallenge>(
                    $"""
                    DELETE FROM vigil_webauthn_challenges WHERE binding = {binding}
                    RETURNING ceremony AS "Ceremony", user_id AS "UserId", options_json AS "OptionsJson", expires_at_ms AS "ExpiresAtMs"
                    """).ToListAsync(ct).ConfigureAwait(false);
                break;
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex) when (ex.SqliteErrorCode is 5 or 6 && attempt < BusyRetries)
            {
                // SQLite reports a concurrent writer as busy while stepping through RETURNING rows (Microsoft.Data.Sqlite
                // only waits out a busy database before the first row). The failed statement changed nothing, so taking
                // again is safe: still exactly one taker gets the row.
                await Task.Delay(5 * attempt, ct).ConfigureAwait(false);
            }
        }

        if (rows is not [var row])
        {
            return null;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return row.Ceremony == (int)ceremony && string.Equals(row.UserId, userId, StringComparison.Ordinal) && now < row.ExpiresAtMs
            ? row.OptionsJson
            : null;
    }

    private sealed class TakenChallenge
    {
        public int Ceremony { get; set; }
        public string UserId { get; set; } = "";
        public string OptionsJson { get; set; } = "";
        public long ExpiresAtMs { get; set; }
    }
}
