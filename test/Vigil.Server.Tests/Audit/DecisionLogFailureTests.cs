using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Server.Audit;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Audit;

/// <summary>The decision log on a real file system that runs full (tmpfs), then gets room again.</summary>
public sealed class DecisionLogFailureTests : IDisposable
{
    private readonly SmallDisk _disk = SmallDisk.Mount();

    public void Dispose() => _disk.Dispose();

    private static AuditRecord Decision(int i) =>
        new() { Kind = "decision", Time = DateTimeOffset.UnixEpoch.AddSeconds(i), RequestId = "r" + i, Subject = "alice", Decision = "allow", Reason = "reason " + i };

    [Fact]
    public async Task DiskFull_LogFailsKeepsWholeLinesThenResumesWithTheLossOnRecord()
    {
        var path = Path.Combine(_disk.Path, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        for (var i = 1; i <= 10; i++)
        {
            log.Record(Decision(i));
        }

        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.Healthy);

        _disk.Fill();
        for (var i = 11; i <= 400; i++)
        {
            log.Record(Decision(i));
        }

        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.Failing);
        Assert.False(log.Healthy);
        // Whatever reached the disk is whole records: a batch cut off by the full disk is taken back to its start.
        var lines = File.ReadAllLines(path);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.True(lines.Length >= 10);

        // Room again: the writer retries by itself (no new records needed) and writes a record of the resumption.
        _disk.Free();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (log.Failing)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        Assert.True(log.Healthy);
        log.Record(Decision(401));
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        lines = File.ReadAllLines(path);
        using var resumed = JsonDocument.Parse(lines[^2]);
        Assert.Equal("audit", resumed.RootElement.GetProperty("kind").GetString());
        Assert.Equal("resumed", resumed.RootElement.GetProperty("decision").GetString());
        Assert.Contains("were lost", resumed.RootElement.GetProperty("reason").GetString());
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal("r401", last.RootElement.GetProperty("request_id").GetString());

        // The lost records are not papered over: verify names them as removed.
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Contains("removed", result.Message);
    }

    [Fact]
    public async Task DiskFull_WaitingRequests_AreToldWhetherTheirRecordIsOnDisk()
    {
        var path = Path.Combine(_disk.Path, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance, durability: Vigil.Server.Configuration.AuditDurability.Written);
        await log.StartAsync(CancellationToken.None);
        Assert.True(await log.RecordAndWaitAsync(Decision(1)).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        _disk.Fill();
        var results = new List<(string Id, bool Written)>();
        for (var i = 2; i <= 100; i++)
        {
            results.Add(("r" + i, await log.RecordAndWaitAsync(Decision(i)).AsTask().WaitAsync(TimeSpan.FromSeconds(10))));
        }

        Assert.Contains(results, r => !r.Written);
        var text = File.ReadAllText(path);
        Assert.All(results, r => Assert.Equal(r.Written, text.Contains($"\"request_id\":\"{r.Id}\"", StringComparison.Ordinal)));

        _disk.Free();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (log.Failing)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        Assert.True(await log.RecordAndWaitAsync(Decision(101)).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("\"request_id\":\"r101\"", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NearlyFull_FailsWhileEveryRecordIsStillOnDisk()
    {
        // 256 KB file system: the floor is a tenth of it. Leave less than that but room for the record itself.
        var path = Path.Combine(_disk.Path, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        _disk.Fill(leaveBytes: 12 * 1024);
        log.Record(Decision(1));
        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.Failing);
        Assert.Single(File.ReadAllLines(path)); // the record made it: the log failed before losing anything

        // A resumption needs real room, not a record that squeezes into the last free page.
        log.Record(Decision(2));
        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.Failing);

        _disk.Free();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (log.Failing)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Contains("1 record(s) before this one were lost", lines[1]);
    }

    [Fact]
    public async Task FileCannotBeOpened_LogIsUnhealthyFromTheStartAndRecoversWhenItCan()
    {
        // Something else sits at the log's path (here a folder), so the file cannot be opened at start.
        var path = Path.Combine(_disk.Path, "decisions.log");
        Directory.CreateDirectory(path);
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        log.Record(Decision(1));
        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(log.Failing);
        Assert.False(log.Healthy);

        Directory.Delete(path);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (log.Failing)
            {
                await Task.Delay(50, deadline.Token);
            }
        }

        log.Record(Decision(2));
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(log.Healthy);
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Contains("1 record(s) before this one were lost", lines[0]);
        Assert.Contains("\"r2\"", lines[1]);
    }

    [Fact]
    public async Task Backlog_OverTheLimit_DropsNewRecordsAndReportsUnhealthyUntilDrained()
    {
        // Not started: nothing drains the queue, so the backlog limit is reached deterministically. (On a normal disk:
        // the backlog is bigger than the small one.)
        var folder = Path.Combine(Path.GetTempPath(), "vigil-backlog-" + Guid.NewGuid().ToString("N")[..8]);
        var path = Path.Combine(folder, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        for (var i = 0; i < DecisionLog.MaxPending + 10; i++)
        {
            log.Record(Decision(i));
        }

        Assert.Equal(10, log.Dropped);
        Assert.False(log.Healthy);
        Assert.Equal(DecisionLog.MaxPending, log.Pending);

        await log.StartAsync(CancellationToken.None);
        await log.FlushAsync(TimeSpan.FromSeconds(60));
        Assert.True(log.Healthy);
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(DecisionLog.MaxPending, File.ReadLines(path).Count());
        Directory.Delete(folder, recursive: true);
    }
}
