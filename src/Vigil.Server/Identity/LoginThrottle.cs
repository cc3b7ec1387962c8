using Microsoft.Extensions.Logging;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;

namespace Vigil.Server.Identity;

/// <summary>
/// Brute-force protection in the spirit of fail2ban: failed logins are counted per account and per client IP
/// within a sliding window; reaching the limit bans the key for a while, each further ban twice as long up to
/// the maximum. Bans and lifts are logged and recorded in the decision log. Unknown accounts are counted too,
/// so the answer never reveals whether an account exists.
/// </summary>
internal sealed partial class LoginThrottle(LockoutConfig config, TimeProvider time, DecisionLog log, ILogger<LoginThrottle> logger)
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>True when either the account or the IP is currently banned.</summary>
    public bool IsBanned(string account, string ip, out TimeSpan remaining)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var a = Check(AccountKey(account), now);
            var i = Check(IpKey(ip), now);
            remaining = a > i ? a : i;
            return remaining > TimeSpan.Zero;
        }
    }

    public void RecordFailure(string account, string ip)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            Fail(AccountKey(account), config.MaxFailuresPerAccount, now, ip);
            Fail(IpKey(ip), config.MaxFailuresPerIp, now, ip);
        }
    }

    /// <summary>A successful login clears the account's failures (the IP's count stays: it may be spraying).</summary>
    public void RecordSuccess(string account)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(AccountKey(account), out var entry))
            {
                entry.Failures.Clear();
            }
        }
    }

    private TimeSpan Check(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.BannedUntil is not { } until)
        {
            return TimeSpan.Zero;
        }

        if (until > now)
        {
            return until - now;
        }

        entry.BannedUntil = null;
        LogUnban(logger, key);
        log.Record(new AuditRecord { Kind = "ban", Time = now, Subject = key, Decision = "unban", Reason = "ban expired" });
        return TimeSpan.Zero;
    }

    private void Fail(string key, int limit, DateTimeOffset now, string ip)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count > 100_000)
            {
                Prune(now);
            }

            entry = new Entry();
            _entries[key] = entry;
        }

        while (entry.Failures.Count > 0 && now - entry.Failures.Peek() > config.Window)
        {
            entry.Failures.Dequeue();
        }

        // A long quiet period forgives earlier bans.
        if (entry.LastBan is { } last && now - last > config.MaxBan + config.Window)
        {
            entry.Bans = 0;
        }

        if (entry.BannedUntil is { } until && until <= now)
        {
            entry.BannedUntil = null;
            LogUnban(logger, key);
            log.Record(new AuditRecord { Kind = "ban", Time = now, Subject = key, Decision = "unban", Reason = "ban expired" });
        }

        entry.Failures.Enqueue(now);
        if (entry.Failures.Count >= limit && entry.BannedUntil is null)
        {
            var factor = Math.Pow(2, Math.Min(entry.Bans, 30));
            var duration = TimeSpan.FromTicks((long)Math.Min(config.Ban.Ticks * factor, config.MaxBan.Ticks));
            entry.Bans++;
            entry.LastBan = now;
            entry.BannedUntil = now + duration;
            entry.Failures.Clear();
            LogBan(logger, key, duration, ip);
            log.Record(new AuditRecord
            {
                Kind = "ban", Time = now, Subject = key, ClientIp = ip, Decision = "ban",
                Reason = $"{limit} failed logins within {config.Window}; banned for {duration}",
            });
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries.ToList())
        {
            if (entry.BannedUntil is null && (entry.Failures.Count == 0 || now - entry.Failures.Peek() > config.Window) && (entry.LastBan is null || now - entry.LastBan > config.MaxBan))
            {
                _entries.Remove(key);
            }
        }
    }

    private static string AccountKey(string account) => "account:" + UserService.NormalizeName(account);

    private static string IpKey(string ip) => "ip:" + ip;

    private sealed class Entry
    {
        public Queue<DateTimeOffset> Failures { get; } = new();
        public DateTimeOffset? BannedUntil { get; set; }
        public DateTimeOffset? LastBan { get; set; }
        public int Bans { get; set; }
    }
}
