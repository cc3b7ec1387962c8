using System.CommandLine;
using System.Text.Json;
using Vigil.Server.Audit;

namespace Vigil.Cli.Audit;

/// <summary><c>vigil audit verify|tail|export</c>: read and check the hash-chained decision log.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "Verify, tail and export the decision log.");
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Tail());
        command.Subcommands.Add(Export());
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
