using System.CommandLine;
using System.Text.Json;
using Vigil.Server.Audit;

namespace Vigil.Cli.Audit;

/// <summary><c>vigil audit verify|tail|export|stats</c>: read, check and summarize the hash-chained decision log.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Verify, tail, export and summarize the decision log.");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Tail());
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Stats());
        return command;
    }

    private static Command Verify()
    {
        var file = new Argument<FileInfo>("log") { Description = "Decision log file (decisions.log)" };
        var command = new Command("verify", "Check the whole hash chain (rotated files included); name the first altered, removed or reordered record.") { file };
        command.SetAction(parse =>
        {
            var result = AuditChain.Verify(parse.GetValue(file)!.FullName);
            (result.Ok ? Console.Out : Console.Error).WriteLine((result.Ok ? "ok: " : "FAILED: ") + result.Message);
            return result.Ok ? 0 : 1;
        });
        return command;
    }

    private static Command Tail()
    {
        var file = new Argument<FileInfo>("log");
        var lines = new Option<int>("--lines", "-n") { Description = "How many records", DefaultValueFactory = _ => 20 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new records, across rotations" };
        var command = new Command("tail", "Print the last records in a readable form.") { file, lines, follow };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"vigil: error: {path}: no such file").ConfigureAwait(false);
                return 1;
            }

            // Complete lines only, and across rotations (the tail follows the chain into the new file).
            using var tail = new AuditLogTail(path);
            var last = new Queue<string>();
            foreach (var line in tail.ReadAvailable())
            {
                last.Enqueue(line);
                if (last.Count > parse.GetValue(lines))
                {
                    last.Dequeue();
                }
            }

            foreach (var line in last)
            {
                Console.WriteLine(Format(line));
            }

            if (!parse.GetValue(follow))
            {
                return 0;
            }

            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            try
            {
                while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                {
                    foreach (var line in tail.ReadAvailable())
                    {
                        Console.WriteLine(Format(line));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var file = new Argument<FileInfo>("log");
        var format = new Option<string>("--format") { Description = "Output format", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl");
        var output = new Option<FileInfo>("--output", "-o") { Description = "Write here instead of standard output" };
        var command = new Command("export", "Export records, rotated files included, in chain order (after verifying the chain) for a SIEM.") { file, format, output };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            var verify = AuditChain.Verify(path);
            if (!verify.Ok)
            {
                await Console.Error.WriteLineAsync("vigil: warning: " + verify.Message).ConfigureAwait(false);
            }

            var target = parse.GetValue(output) is { } o ? new StreamWriter(o.FullName) : new StreamWriter(Console.OpenStandardOutput());
            await using (target.ConfigureAwait(false))
            {
                // Rotated files first, oldest to newest, then the current file: the whole chain in order.
                foreach (var line in AuditChain.ChainFiles(path).SelectMany(File.ReadLines))
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    using var doc = JsonDocument.Parse(line);
                    await target.WriteLineAsync(JsonSerializer.Serialize(doc.RootElement)).ConfigureAwait(false);
                }
            }

            return verify.Ok ? 0 : 1;
        });
        return command;
    }

    private static Command Stats()
    {
        var file = new Argument<FileInfo>("log") { Description = "Decision log file (decisions.log); its rotated files are read too" };
        var since = new Option<string?>("--since")
        {
            Description = "Only records from this long ago (24h, 7d, 30m) or from this time (2026-11-26T08:00:00Z) on",
        };
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("stats",
            "Summarize the log: decisions per route, why requests were refused, how often each policy rule decided (rule usage), sign-ins, bans, " +
            "and who was refused most. Does not check the chain (that is 'vigil audit verify').") { file, since, format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (AuditChain.ChainFiles(path).Count == 0)
            {
                await Console.Error.WriteLineAsync($"vigil: error: {path}: no such file").ConfigureAwait(false);
                return 1;
            }

            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                if (Vigil.Server.Configuration.ConfigLoader.TryParseDuration(text, out var ago) && ago > TimeSpan.Zero)
                {
                    from = TimeProvider.System.GetUtcNow() - ago;
                }
                else if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                {
                    from = at;
                }
                else
                {
                    await Console.Error.WriteLineAsync($"vigil: error: --since '{text}' is neither a duration (24h, 7d) nor a time (2026-11-26T08:00:00Z)").ConfigureAwait(false);
                    return 2;
                }
            }

            // Large logs take a while: say how far it got, on the terminal only.
            Action<long>? progress = Console.IsErrorRedirected ? null : bytes => Console.Error.Write($"\rvigil: read {bytes >> 20} MB...");
            var stats = AuditStats.Read(path, from, progress);
            if (progress is not null)
            {
                Console.Error.Write("\r                              \r");
            }

            if (parse.GetValue(format) == "json")
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    records = stats.Records, unreadable = stats.Unreadable, skipped = stats.Skipped,
                    first = stats.First, last = stats.Last, kinds = stats.Kinds,
                    routes = stats.Routes().Select(r => new { route = r.Route, total = r.Total, decisions = r.Decisions }),
                    reasons = stats.TopReasons.Select(kv => new { reason = kv.Key, count = kv.Value }),
                    rules = stats.Rules.Select(kv => new { rule = kv.Key, count = kv.Value }),
                    logins = stats.Logins, bans = stats.Bans,
                    refused_subjects = stats.TopRefusedSubjects.Select(kv => new { subject = kv.Key, count = kv.Value }),
                    failed_login_addresses = stats.TopFailedLoginAddresses.Select(kv => new { client_ip = kv.Key, count = kv.Value }),
                })).ConfigureAwait(false);
                return 0;
            }

            var o = Console.Out;
            await o.WriteLineAsync($"{stats.Records} records{(stats.First is { } f ? $" from {f:u} to {stats.Last:u}" : "")}" +
                (stats.Skipped > 0 ? $"; {stats.Skipped} earlier records skipped" : "") + (stats.Unreadable > 0 ? $"; {stats.Unreadable} unreadable lines" : "")).ConfigureAwait(false);
            await o.WriteLineAsync("by kind: " + string.Join(", ", stats.Kinds.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))).ConfigureAwait(false);
            string[] columns = ["allow", "deny", "would_deny", "challenge", "step_up", "reject"];
            await o.WriteLineAsync($"\n{"route",-24} {"total",9} " + string.Join(" ", columns.Select(c => $"{c,10}"))).ConfigureAwait(false);
            foreach (var (route, decisions, total) in stats.Routes())
            {
                await o.WriteLineAsync($"{route,-24} {total,9} " + string.Join(" ", columns.Select(c => $"{decisions.GetValueOrDefault(c),10}"))).ConfigureAwait(false);
            }

            async Task ListAsync(string title, IReadOnlyList<KeyValuePair<string, long>> items)
            {
                await o.WriteLineAsync($"\n{title}:").ConfigureAwait(false);
                if (items.Count == 0)
                {
                    await o.WriteLineAsync("  (none)").ConfigureAwait(false);
                }

                foreach (var (key, count) in items)
                {
                    await o.WriteLineAsync($"  {count,9}  {key}").ConfigureAwait(false);
                }
            }

            await ListAsync($"top reasons for refusals (deny, would_deny, challenge, step_up, reject)", stats.TopReasons).ConfigureAwait(false);
            await ListAsync("policy rules that decided (rule usage)", stats.Rules).ConfigureAwait(false);
            await ListAsync("sign-ins", stats.Logins.OrderByDescending(kv => kv.Value).ToList()).ConfigureAwait(false);
            await o.WriteLineAsync($"\nbans: {stats.Bans}").ConfigureAwait(false);
            await ListAsync("subjects denied most (deny and would_deny)", stats.TopRefusedSubjects).ConfigureAwait(false);
            await ListAsync("addresses with the most failed sign-ins", stats.TopFailedLoginAddresses).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string Format(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string Get(string name) => r.TryGetProperty(name, out var v) ? v.ToString() : "-";
            return $"{Get("time")} #{Get("seq")} {Get("kind"),-8} {Get("decision"),-10} {Get("subject"),-20} {Get("method")} {Get("host")}{Get("path")} route={Get("route")} reason={Get("reason")} rule={Get("rule")} {Get("latency_ms")}ms req={Get("request_id")}";
        }
        catch (JsonException)
        {
            return "(unreadable) " + line;
        }
    }
}
