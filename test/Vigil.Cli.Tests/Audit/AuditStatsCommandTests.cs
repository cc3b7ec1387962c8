using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Cli.Tests.Infrastructure;
using Vigil.Server.Audit;

namespace Vigil.Cli.Tests.Audit;

/// <summary><c>vigil audit stats</c> on a real hash-chained log written by <see cref="DecisionLog"/>.</summary>
public sealed class AuditStatsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-stats-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<string> WriteLogAsync()
    {
        var path = Path.Combine(_dir, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance, maxFileSize: 2048); // several rotated files
        await log.StartAsync(CancellationToken.None);
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        AuditRecord Decision(int minute, string route, string decision, string? reason = null, string? rule = null, string? subject = "alice") => new()
        {
            Kind = "decision", Time = start.AddMinutes(minute), Route = route, Decision = decision, Reason = reason, Rule = rule, Subject = subject,
        };

        log.Record(Decision(0, "app", "allow", rule: "allow_engineers"));
        log.Record(Decision(1, "app", "allow", rule: "allow_engineers"));
        log.Record(Decision(2, "admin", "deny", "admin role required", "deny_non_admins", "bob"));
        log.Record(Decision(3, "admin", "deny", "admin role required", "deny_non_admins", "bob"));
        log.Record(Decision(4, "reports", "would_deny", "confidential", null, "carol"));
        log.Record(new AuditRecord { Kind = "decision", Time = start.AddMinutes(5), Decision = "reject", Reason = "no_route" });
        log.Record(new AuditRecord { Kind = "login", Time = start.AddMinutes(6), Subject = "bob", ClientIp = "10.0.0.9", Decision = "failure", Reason = "bad password" });
        log.Record(new AuditRecord { Kind = "login", Time = start.AddMinutes(7), Subject = "bob", ClientIp = "10.0.0.9", Decision = "failure", Reason = "bad password" });
        log.Record(new AuditRecord { Kind = "login", Time = start.AddMinutes(8), Subject = "alice", Decision = "success" });
        log.Record(new AuditRecord { Kind = "ban", Time = start.AddMinutes(9), Subject = "account:bob", Decision = "ban", Reason = "5 failed logins" });
        log.Record(Decision(60 * 24 * 30, "app", "allow", rule: "allow_engineers"));
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await File.AppendAllTextAsync(path, "not a record\n"); // a damaged line is counted, never fatal
        Assert.True(AuditChain.RotatedFiles(path).Count > 0, "the test wants rotated files too");
        return path;
    }

    [Fact]
    public async Task Stats_Table_CountsDecisionsPerRouteReasonsRulesSignInsAndBansAcrossRotatedFiles()
    {
        var path = await WriteLogAsync();
        var result = await VigilCli.RunAsync("audit", "stats", path);
        Assert.True(result.Exit == 0, result.Err);
        Assert.Contains("11 records from 2026-11-01 08:00:00Z to 2026-12-01 08:00:00Z; 1 unreadable lines", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^app\s+3\s+3\s+0\s+0", result.Out);
        Assert.Matches(@"(?m)^admin\s+2\s+0\s+2\s", result.Out);
        Assert.Matches(@"(?m)^\s+2\s+deny: admin role required$", result.Out);
        Assert.Matches(@"(?m)^\s+3\s+allow_engineers$", result.Out);
        Assert.Matches(@"(?m)^\s+2\s+deny_non_admins$", result.Out);
        Assert.Matches(@"(?m)^\s+2\s+failure$", result.Out);
        Assert.Contains("bans: 1", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+2\s+bob$", result.Out);
        Assert.Matches(@"(?m)^\s+2\s+10\.0\.0\.9$", result.Out);
    }

    [Fact]
    public async Task Stats_JsonSince_CountsOnlyLaterRecords()
    {
        var path = await WriteLogAsync();
        var result = await VigilCli.RunAsync("audit", "stats", path, "--since", "2026-11-01T08:05:00Z", "--format", "json");
        Assert.True(result.Exit == 0, result.Err);
        using var doc = JsonDocument.Parse(result.Out);
        var root = doc.RootElement;
        Assert.Equal(6, root.GetProperty("records").GetInt64());
        Assert.Equal(5, root.GetProperty("skipped").GetInt64());
        Assert.Equal(2, root.GetProperty("logins").GetProperty("failure").GetInt64());
        Assert.Equal(1, root.GetProperty("bans").GetInt64());
    }

    [Fact]
    public async Task Stats_BadSinceOrMissingLog_ClearErrors()
    {
        var path = await WriteLogAsync();
        var bad = await VigilCli.RunAsync("audit", "stats", path, "--since", "yesterday-ish");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--since 'yesterday-ish'", bad.Err, StringComparison.Ordinal);
        var missing = await VigilCli.RunAsync("audit", "stats", Path.Combine(_dir, "nope.log"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no such file", missing.Err, StringComparison.Ordinal);
    }
}
