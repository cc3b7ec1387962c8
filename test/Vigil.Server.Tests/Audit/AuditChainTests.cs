using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Server.Audit;

namespace Vigil.Server.Tests.Audit;

public sealed class AuditChainTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-audit-" + Guid.NewGuid().ToString("N")[..8]);

    public AuditChainTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<string> WriteLogAsync(int count)
    {
        var path = Path.Combine(_dir, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        for (var i = 0; i < count; i++)
        {
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch.AddSeconds(i), RequestId = "r" + i, Subject = "alice", Decision = i % 2 == 0 ? "allow" : "deny", Reason = "reason " + i });
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return path;
    }

    [Fact]
    public async Task StopAsync_AfterManyRecords_FlushesEveryRecordInOneIntactChain()
    {
        var path = await WriteLogAsync(20_000);
        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(20_000, result.Records);
        Assert.Equal((20_000L, AuditChain.ReadTail(path).Hash), AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(path)));
    }

    [Fact]
    public async Task Record_ConcurrentProducersAroundTheWritersSleeps_LosesNothing()
    {
        // Producers on several threads, in bursts with pauses, so records keep arriving just as the writer goes to
        // sleep or wakes: every one of them must be written, in one intact chain, and FlushAsync must see them all.
        var path = Path.Combine(_dir, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        const int Producers = 6, Bursts = 40, PerBurst = 25;
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var b = 0; b < Bursts; b++)
            {
                for (var i = 0; i < PerBurst; i++)
                {
                    log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, RequestId = $"p{p}-{b}-{i}", Decision = "allow" });
                }

                await Task.Delay(b % 3);
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));
        await log.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Producers * Bursts * PerBurst, log.Written);
        Assert.Equal(Producers * Bursts * PerBurst, File.ReadLines(path).Count());
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(Producers * Bursts * PerBurst, result.Records);
        var ids = File.ReadLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString()).ToHashSet();
        Assert.Equal(Producers * Bursts * PerBurst, ids.Count);
    }

    [Fact]
    public async Task FlushAsync_AfterAQuietPeriod_WakesTheSleepingWriter()
    {
        var path = Path.Combine(_dir, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        for (var round = 1; round <= 3; round++)
        {
            await Task.Delay(250); // longer than the checkpoint interval: the writer sleeps without a deadline
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, RequestId = "r" + round, Decision = "allow" });
            await log.FlushAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(round, File.ReadLines(path).Count());
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Restart_ContinuesTheChain()
    {
        var path = await WriteLogAsync(5);
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, Decision = "allow" });
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(6, result.Records);
    }

    [Fact]
    public async Task Record_HostileText_IsEscapedAsJsonAndTheChainVerifies()
    {
        // Non-ASCII is written as UTF-8, control characters and line separators escaped, a lone surrogate replaced:
        // one record per line, readable as JSON, and no terminal escape reaches `vigil audit tail`.
        var path = Path.Combine(_dir, "decisions.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        string[] paths = ["/caf\u00e9/<script>\"q", "/esc\u001b[31m\n\u2028", "/x\uD800y"];
        foreach (var p in paths)
        {
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, Decision = "allow", Path = p });
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var bytes = File.ReadAllBytes(path);
        Assert.DoesNotContain((byte)0x1b, bytes);
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.Contains("caf\u00e9", lines[0], StringComparison.Ordinal);
        var read = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("path").GetString() ?? "").ToArray();
        Assert.Equal(["/caf\u00e9/<script>\"q", "/esc\u001b[31m\n\u2028", "/x\uFFFDy"], read);
        Assert.True(AuditChain.Verify(path).Ok, AuditChain.Verify(path).Message);
    }

    [Fact]
    public async Task Verify_AlteredRecord_NamesItsLine()
    {
        var path = await WriteLogAsync(10);
        var lines = File.ReadAllLines(path);
        lines[6] = lines[6].Replace("\"decision\":\"allow\"", "\"decision\":\"deny\"", StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"deny\"", lines[6], StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Equal(7, result.FailedLine);
        Assert.Contains("altered", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RecordsCutOffTheEnd_NamesTheMissingRange()
    {
        var path = await WriteLogAsync(10);
        Assert.True(AuditChain.Verify(path).Ok);
        var lines = File.ReadAllLines(path);
        File.WriteAllLines(path, lines[..7]);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Contains("record(s) 8..10 missing at the end", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_WholeFileEmptied_NamesEveryRecordAsMissing()
    {
        var path = await WriteLogAsync(4);
        File.WriteAllText(path, "");
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Contains("record(s) 1..4 missing at the end", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_AfterTailCut_KeepsTheGapVisible()
    {
        var path = await WriteLogAsync(10);
        File.WriteAllLines(path, File.ReadAllLines(path)[..6]);
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, Decision = "allow" });
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Equal(7, result.FailedLine);
        Assert.Contains("record(s) 7..10 removed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrashCutLastLine_VerifyNotesItAndTheNextStartRemovesIt()
    {
        // A process killed while writing a batch leaves part of a line after the last whole record.
        var path = await WriteLogAsync(5);
        var (line, _) = AuditChain.Seal(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, RequestId = "torn", Decision = "allow" }, 6, AuditChain.ReadTail(path).Hash);
        using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write(line.AsSpan(0, line.Length / 2));
        }

        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(5, result.Records);
        Assert.Contains("cut off by a crash", result.Message, StringComparison.Ordinal);

        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, RequestId = "after", Decision = "allow" });
        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(6, result.Records);
        Assert.DoesNotContain("cut off", result.Message, StringComparison.Ordinal);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4", "after"],
            File.ReadAllLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task Verify_CheckpointedRecordCutInHalf_IsStillMissingNotACrashArtefact()
    {
        // Cutting into records the checkpoint vouches for is not excused as a crash's cut-off line.
        var path = await WriteLogAsync(5);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Contains("record(s) 5..5 missing at the end", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LogReplacedByAnotherChainOfTheSameLength_FailsAgainstTheCheckpoint()
    {
        var path = await WriteLogAsync(5);
        var checkpoint = File.ReadAllText(AuditChain.CheckpointPath(path));
        File.Delete(path);
        File.Delete(AuditChain.CheckpointPath(path));
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance);
        await log.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch, Decision = "allow", Reason = "forged " + i });
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        File.WriteAllText(AuditChain.CheckpointPath(path), checkpoint);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Contains("does not match the checkpoint", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_RemovedRecord_NamesTheGap()
    {
        var path = await WriteLogAsync(10);
        var lines = File.ReadAllLines(path).ToList();
        lines.RemoveAt(3);
        File.WriteAllLines(path, lines);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Equal(4, result.FailedLine);
        Assert.Contains("removed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReorderedRecords_NamesTheFirstOutOfPlace()
    {
        var path = await WriteLogAsync(10);
        var lines = File.ReadAllLines(path);
        (lines[4], lines[5]) = (lines[5], lines[4]);
        File.WriteAllLines(path, lines);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Equal(5, result.FailedLine);
    }

    [Fact]
    public async Task Verify_RecordRewrittenWithRecomputedHash_BreaksTheNextLink()
    {
        var path = await WriteLogAsync(10);
        var lines = File.ReadAllLines(path);
        using var doc = System.Text.Json.JsonDocument.Parse(lines[2]);
        var forged = new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch.AddSeconds(2), RequestId = "r2", Subject = "mallory", Decision = "allow", Reason = "forged" };
        var (line, _) = AuditChain.Seal(forged, doc.RootElement.GetProperty("seq").GetInt64(), doc.RootElement.GetProperty("prev").GetString()!);
        lines[2] = System.Text.Encoding.UTF8.GetString(line);
        File.WriteAllLines(path, lines);
        var result = AuditChain.Verify(path);
        Assert.False(result.Ok);
        Assert.Equal(4, result.FailedLine);
    }

    private async Task<string> WriteRotatingLogAsync(int count, int start = 0)
    {
        var path = Path.Combine(_dir, "rotating.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance, maxFileSize: 4096);
        await log.StartAsync(CancellationToken.None);
        for (var i = start; i < start + count; i++)
        {
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch.AddSeconds(i), RequestId = "r" + i, Subject = "alice", Decision = "allow" });
            if (i % 50 == 0)
            {
                await log.FlushAsync(TimeSpan.FromSeconds(10)); // several batches, so several rotations
            }
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return path;
    }

    [Fact]
    public async Task Rotation_FullFilesAreRenamedAndTheChainContinuesAcrossThem()
    {
        var path = await WriteRotatingLogAsync(600);
        var rotated = AuditChain.RotatedFiles(path);
        Assert.True(rotated.Count >= 3, $"{rotated.Count} rotated files");
        foreach (var file in rotated)
        {
            Assert.True(new FileInfo(file).Length >= 4096);
            Assert.EndsWith("." + AuditChain.ReadTail(file).Seq.ToString("D12", System.Globalization.CultureInfo.InvariantCulture), file, StringComparison.Ordinal);
        }

        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(600, result.Records);
        Assert.Equal(AuditChain.ReadChainTail(path), AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(path)));
    }

    [Fact]
    public async Task Rotation_RestartContinuesTheChainWithoutReportingAGap()
    {
        var path = await WriteRotatingLogAsync(300);
        await WriteRotatingLogAsync(300, start: 300);
        var result = AuditChain.Verify(path);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(600, result.Records);
    }

    [Fact]
    public async Task Rotation_RemovedOrAlteredRotatedFile_IsDetected()
    {
        var path = await WriteRotatingLogAsync(600);
        var rotated = AuditChain.RotatedFiles(path);

        // A record altered inside a rotated file is named with that file.
        var lines = File.ReadAllLines(rotated[1]);
        lines[2] = lines[2].Replace("\"alice\"", "\"mallory\"", StringComparison.Ordinal);
        File.WriteAllLines(rotated[1], lines);
        var altered = AuditChain.Verify(path);
        Assert.False(altered.Ok);
        Assert.Contains(Path.GetFileName(rotated[1]) + " line 3", altered.Message, StringComparison.Ordinal);
        Assert.Contains("altered", altered.Message, StringComparison.Ordinal);

        // A rotated file removed from the middle leaves a gap in seq.
        File.Delete(rotated[1]);
        var middle = AuditChain.Verify(path);
        Assert.False(middle.Ok);
        Assert.Contains("removed", middle.Message, StringComparison.Ordinal);

        // The oldest files removed: the chain no longer starts at 1.
        File.Delete(rotated[0]);
        var oldest = AuditChain.Verify(path);
        Assert.False(oldest.Ok);
        Assert.Contains("oldest rotated file", oldest.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_FollowsTheLogAcrossRotationsWithCompleteLinesInOrder()
    {
        var path = Path.Combine(_dir, "followed.log");
        var log = new DecisionLog(path, NullLogger<DecisionLog>.Instance, maxFileSize: 4096);
        await log.StartAsync(CancellationToken.None);
        using var tail = new AuditLogTail(path);
        var seen = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            log.Record(new AuditRecord { Kind = "decision", Time = DateTimeOffset.UnixEpoch.AddSeconds(i), RequestId = "r" + i, Decision = "allow" });
            if (i % 37 == 0)
            {
                await log.FlushAsync(TimeSpan.FromSeconds(10));
                seen.AddRange(tail.ReadAvailable());
            }
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        seen.AddRange(tail.ReadAvailable());
        Assert.True(AuditChain.RotatedFiles(path).Count >= 3);
        var seqs = seen.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), seqs);
    }
}
