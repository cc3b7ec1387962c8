using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Storage;
using Vigil.Server.Telemetry;

namespace Vigil.Server.Identity;

/// <summary>The answer of <see cref="LoginThrottle.CheckAsync"/>: banned (and for how long), or not.</summary>
/// <param name="Banned">True when the attempt must be refused: a ban on the account or the address, or the store could not be asked.</param>
/// <param name="Remaining">Time left of the longer of the two bans (zero when the store could not be asked).</param>
internal readonly record struct BanCheck(bool Banned, TimeSpan Remaining);

/// <summary>
/// Brute-force protection in the spirit of fail2ban: failed logins are counted per account and per client IP
/// within a sliding window; reaching the limit bans the key for a while, each further ban twice as long up to
/// the maximum. Bans and lifts are logged and recorded in the decision log. Unknown accounts are counted too,
/// so the answer never reveals whether an account exists.
/// <para>
/// The state is in the store (<c>vigil_login_failures</c>, <c>vigil_login_bans</c>), so every node sharing it counts
/// the same failures and honours the same bans. A ban or a lift is a conditional update on the key's row (its version
/// must be the one read), so when two nodes cross the limit together exactly one imposes the ban, logs and records it.
/// Checking (every login POST) is one read by primary key. Failure rows outside the window, and ban rows old enough
/// to be forgiven, are deleted in bounded batches as failures are recorded. When the store cannot be used, the
/// check answers "banned" (fail closed) and the failure is logged as not counted.
/// </para>
/// </summary>
internal sealed partial class LoginThrottle(VigilDbContext db, LockoutConfig config, TimeProvider time, DecisionLog log, ILogger<LoginThrottle> logger,
    VigilMetrics? metrics = null)
{
    /// <summary>Expired rows deleted per recorded failure at most.</summary>
    public const int PruneBatch = 200;

    // Keys longer than this are replaced by a digest, so a hostile user name cannot blow up the key column.
    private const int MaxKeyLength = 200;

    /// <summary>True when either the account or the IP is currently banned, or the store cannot be asked.</summary>
    public async Task<bool> IsBannedAsync(string account, string ip, CancellationToken ct = default) =>
        (await CheckAsync(account, ip, ct).ConfigureAwait(false)).Banned;

    /// <summary>Whether the account or the IP is banned, and for how long; expired bans are lifted (logged once).</summary>
    public async Task<BanCheck> CheckAsync(string account, string ip, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var accountKey = AccountKey(account);
        var ipKey = IpKey(ip);
        try
        {
            var rows = await db.LoginBans.AsNoTracking()
                .Where(b => (b.Key == accountKey || b.Key == ipKey) && b.BannedUntilMs != null)
                .Select(b => new { b.Key, b.BannedUntilMs, b.Version })
                .ToListAsync(ct).ConfigureAwait(false);
            var remaining = TimeSpan.Zero;
            foreach (var row in rows)
            {
                var left = TimeSpan.FromMilliseconds(row.BannedUntilMs!.Value - now.ToUnixTimeMilliseconds());
                if (left > TimeSpan.Zero)
                {
                    remaining = left > remaining ? left : remaining;
                }
                else
                {
                    await LiftAsync(row.Key, row.Version, now, ct).ConfigureAwait(false);
                }
            }

            return new BanCheck(remaining > TimeSpan.Zero, remaining);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            LogStoreUnavailable(logger, ex, accountKey, ip);
            return new BanCheck(true, TimeSpan.Zero);
        }
    }

    /// <summary>Counts a failed attempt against the account and the address; may ban either.</summary>
    public async Task RecordFailureAsync(string account, string ip, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var accountKey = AccountKey(account);
        try
        {
            await PruneAsync(now, ct).ConfigureAwait(false);
            await FailAsync(accountKey, config.MaxFailuresPerAccount, now, ip, ct).ConfigureAwait(false);
            await FailAsync(IpKey(ip), config.MaxFailuresPerIp, now, ip, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            // The attempt itself is refused by the caller; say loudly that it was not counted.
            LogFailureNotCounted(logger, ex, accountKey, ip);
        }
    }

    /// <summary>A successful login clears the account's failures (the IP's count stays: it may be spraying).</summary>
    public async Task RecordSuccessAsync(string account, CancellationToken ct = default)
    {
        var key = AccountKey(account);
        try
        {
            await db.LoginFailures.Where(f => f.Key == key).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            // Failures left in place only make the throttle stricter (fail closed).
            LogFailureNotCounted(logger, ex, key, "");
        }
    }

    /// <summary>Lifts an expired ban when the row is still as read; true (and logged) for the one node that lifted it.</summary>
    private async Task<bool> LiftAsync(string key, long version, DateTimeOffset now, CancellationToken ct)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var lifted = await db.LoginBans
            .Where(b => b.Key == key && b.Version == version && b.BannedUntilMs != null && b.BannedUntilMs <= nowMs)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.BannedUntilMs, (long?)null).SetProperty(b => b.Version, b => b.Version + 1), ct)
            .ConfigureAwait(false);
        if (lifted != 1)
        {
            return false;
        }

        LogUnban(logger, key);
        log.Record(new AuditRecord { Kind = "ban", Time = now, Subject = key, Decision = "unban", Reason = "ban expired" });
        return true;
    }

    private async Task FailAsync(string key, int limit, DateTimeOffset now, string ip, CancellationToken ct)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var windowStart = nowMs - (long)config.Window.TotalMilliseconds;
        await db.Database.ExecuteSqlAsync($"INSERT INTO vigil_login_failures (throttle_key, at_ms) VALUES ({key}, {nowMs})", ct).ConfigureAwait(false);

        var row = await db.LoginBans.AsNoTracking().FirstOrDefaultAsync(b => b.Key == key, ct).ConfigureAwait(false);
        if (row?.BannedUntilMs is { } until && until <= nowMs)
        {
            await LiftAsync(key, row.Version, now, ct).ConfigureAwait(false);
            row = await db.LoginBans.AsNoTracking().FirstOrDefaultAsync(b => b.Key == key, ct).ConfigureAwait(false);
        }

        if (row?.BannedUntilMs is not null)
        {
            return;
        }

        var failures = await db.LoginFailures.CountAsync(f => f.Key == key && f.AtMs >= windowStart, ct).ConfigureAwait(false);
        if (failures < limit)
        {
            return;
        }

        // A long quiet period forgives earlier bans.
        var bans = row is { LastBanMs: { } last } && nowMs - last > (long)(config.MaxBan + config.Window).TotalMilliseconds ? 0 : row?.Bans ?? 0;
        var factor = Math.Pow(2, Math.Min(bans, 30));
        var duration = TimeSpan.FromTicks((long)Math.Min(config.Ban.Ticks * factor, config.MaxBan.Ticks));
        var bannedUntil = nowMs + (long)duration.TotalMilliseconds;
        var newBans = bans + 1;
        var won = row is null ? 0 : await db.LoginBans.Where(b => b.Key == key && b.Version == row.Version && b.BannedUntilMs == null)
            .ExecuteUpdateAsync(s => s
                .SetProperty(b => b.BannedUntilMs, bannedUntil)
                .SetProperty(b => b.LastBanMs, nowMs)
                .SetProperty(b => b.Bans, newBans)
                .SetProperty(b => b.Version, b => b.Version + 1), ct)
            .ConfigureAwait(false);

        // No row (first ban, or its forgiven history was pruned meanwhile): inserting it is the conditional step.
        if (won == 0 && (row is null || !await db.LoginBans.AnyAsync(b => b.Key == key, ct).ConfigureAwait(false)))
        {
            won = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO vigil_login_bans (throttle_key, banned_until_ms, last_ban_ms, bans, version)
                VALUES ({key}, {bannedUntil}, {nowMs}, {newBans}, 1) ON CONFLICT (throttle_key) DO NOTHING
                """, ct).ConfigureAwait(false);
        }

        if (won != 1)
        {
            // Another node crossed the limit at the same moment and imposed (and recorded) the ban.
            return;
        }

        await db.LoginFailures.Where(f => f.Key == key && f.AtMs <= nowMs).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        LogBan(logger, key, duration, ip);
        metrics?.Ban();
        log.Record(new AuditRecord
        {
            Kind = "ban", Time = now, Subject = key, ClientIp = ip, Decision = "ban",
            Reason = $"{limit} failed logins within {config.Window}; banned for {duration}",
        });
    }

    /// <summary>Deletes a bounded batch of failures outside the window and of ban rows whose history is forgiven.</summary>
    private async Task PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var windowStart = nowMs - (long)config.Window.TotalMilliseconds;
        await db.LoginFailures.Where(f => f.AtMs < windowStart).OrderBy(f => f.AtMs).Take(PruneBatch).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        var forgiven = nowMs - (long)(config.MaxBan + config.Window).TotalMilliseconds;

        // Bans that ended long ago but were never checked again are lifted first, so the lift is still recorded.
        var stale = await db.LoginBans.AsNoTracking().Where(b => b.BannedUntilMs != null && b.BannedUntilMs <= nowMs && b.LastBanMs < forgiven)
            .OrderBy(b => b.LastBanMs).Take(PruneBatch / 10).Select(b => new { b.Key, b.Version }).ToListAsync(ct).ConfigureAwait(false);
        foreach (var row in stale)
        {
            await LiftAsync(row.Key, row.Version, now, ct).ConfigureAwait(false);
        }

        await db.LoginBans.Where(b => b.BannedUntilMs == null && (b.LastBanMs == null || b.LastBanMs < forgiven))
            .OrderBy(b => b.LastBanMs).Take(PruneBatch).ExecuteDeleteAsync(ct).ConfigureAwait(false);
    }

    internal static string AccountKey(string account) => Bounded("account:", UserService.NormalizeName(account));

    internal static string IpKey(string ip) => Bounded("ip:", ip);

    private static string Bounded(string prefix, string value) =>
        prefix.Length + value.Length <= MaxKeyLength ? prefix + value : prefix + "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
