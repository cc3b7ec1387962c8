using System.Text.Json;

namespace Vigil.Server.Audit;

/// <summary>
/// A summary of the decision log for operators (<c>vigil audit stats</c>): what was decided per route, why requests
/// were refused, which policy rules decided how often (rule usage), sign-ins and bans, and who was refused most. Reads
/// the rotated files and the current file in chain order, one line at a time (any size); lines that are not records
/// are counted, never fatal. It does not check the chain: that is <c>vigil audit verify</c>.
/// </summary>
public sealed class AuditStats
{
    /// <summary>How many entries the "top" lists keep.</summary>
    public const int Top = 10;

    private readonly Dictionary<string, long> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Route, string Decision), long> _decisions = new();
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _logins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refusedSubjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _refusedAddresses = new(StringComparer.Ordinal);

    public long Records { get; private set; }

    /// <summary>Lines that are not readable records (a damaged or hand-edited file).</summary>
    public long Unreadable { get; private set; }

    /// <summary>Records before <c>since</c>, not counted.</summary>
    public long Skipped { get; private set; }

    public long Bans { get; private set; }

    public DateTimeOffset? First { get; private set; }

    public DateTimeOffset? Last { get; private set; }

    /// <summary>Reads the log at <paramref name="logPath"/> (and its rotated files); <paramref name="progress"/> gets the bytes read so far.</summary>
    public static AuditStats Read(string logPath, DateTimeOffset? since = null, Action<long>? progress = null)
    {
        var stats = new AuditStats();
        long bytes = 0, reported = 0;
        foreach (var file in AuditChain.ChainFiles(logPath))
        {
            foreach (var line in File.ReadLines(file))
            {
                bytes += line.Length + 1;
                stats.Add(line, since);
                if (progress is not null && bytes - reported >= 64L << 20)
                {
                    reported = bytes;
                    progress(bytes);
                }
            }
        }

        return stats;
    }

    /// <summary>Counts one line of the log.</summary>
    public void Add(string line, DateTimeOffset? since = null)
    {
        if (line.Length == 0)
        {
            return;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("time", out var timeValue) || !timeValue.TryGetDateTimeOffset(out var time))
            {
                Unreadable++;
                return;
            }

            if (since is { } from && time < from)
            {
                Skipped++;
                return;
            }

            Records++;
            First = First is { } f && f <= time ? f : time;
            Last = Last is { } l && l >= time ? l : time;
            var kind = Text(r, "kind") ?? "-";
            var decision = Text(r, "decision") ?? "-";
            Increment(_kinds, kind);
            switch (kind)
            {
                case "decision":
                    var key = (Text(r, "route") ?? "(no route)", decision);
                    _decisions[key] = _decisions.GetValueOrDefault(key) + 1;
                    if (Text(r, "rule") is { } rule)
                    {
                        Increment(_rules, rule);
                    }

                    if (decision is "deny" or "would_deny" or "reject" or "challenge" or "step_up")
                    {
                        Increment(_reasons, decision + ": " + (Text(r, "reason") ?? "-"));
                        if (decision is "deny" or "would_deny")
                        {
                            Increment(_refusedSubjects, Text(r, "subject") ?? "(anonymous)");
                        }
                    }

                    break;
                case "login":
                    Increment(_logins, decision);
                    if (decision == "failure" && Text(r, "client_ip") is { } ip)
                    {
                        Increment(_refusedAddresses, ip);
                    }

                    break;
                case "ban" when decision == "ban":
                    Bans++;
                    break;
            }
        }
        catch (JsonException)
        {
            Unreadable++;
        }
    }

    /// <summary>Decisions per route: route → decision → count, routes by total, most first.</summary>
    public IReadOnlyList<(string Route, IReadOnlyDictionary<string, long> Decisions, long Total)> Routes() =>
        _decisions.GroupBy(kv => kv.Key.Route, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, long>)g.ToDictionary(kv => kv.Key.Decision, kv => kv.Value, StringComparer.Ordinal), g.Sum(kv => kv.Value)))
            .OrderByDescending(r => r.Item3).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();

    public IReadOnlyDictionary<string, long> Kinds => _kinds;

    public IReadOnlyDictionary<string, long> Logins => _logins;

    /// <summary>How often each policy rule decided (rule usage), most used first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Rules => Sorted(_rules, int.MaxValue);

    public IReadOnlyList<KeyValuePair<string, long>> TopReasons => Sorted(_reasons, Top);

    public IReadOnlyList<KeyValuePair<string, long>> TopRefusedSubjects => Sorted(_refusedSubjects, Top);

    public IReadOnlyList<KeyValuePair<string, long>> TopFailedLoginAddresses => Sorted(_refusedAddresses, Top);

    private static List<KeyValuePair<string, long>> Sorted(Dictionary<string, long> counts, int take) =>
        counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(take).ToList();

    private static void Increment(Dictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static string? Text(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
