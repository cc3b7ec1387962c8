using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Audit;

/// <summary>
/// <see cref="DecisionLog.RecordAndWaitAsync(AuditRecord)"/>: the wait ends only once the record is in the file (read back here),
/// for one request or many at once, whatever the writer was doing; false when it cannot be written; at once in async mode.
/// </summary>
public sealed class DecisionLogDurabilityTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-durability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LogPath => Path.Combine(_dir, "decisions.log");

    private DecisionLog NewLog(AuditDurability durability, string? path = null) =>
        new(path ?? LogPath, NullLogger<DecisionLog>.Instance, durability: durability);

    private static AuditRecord Decision(string id) =>
        new() { Kind = "decision", Time = DateTimeOffset.UnixEpoch, RequestId = id, Subject = "alice", Decision = "allow", Reason = "test" };

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Registers a continuation now, without a synchronization context; it reports its thread and whether <paramref name="check"/> held there.</summary>
    private static Task<(string? Thread, bool Held)> WhereResumed(ValueTask<bool> wait, Func<bool> check)
    {
        var resumed = new TaskCompletionSource<(string?, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaiter = wait.ConfigureAwait(false).GetAwaiter();
        awaiter.UnsafeOnCompleted(() => resumed.SetResult((Thread.CurrentThread.Name, awaiter.GetResult() && check())));
        return resumed.Task;
    }

    private static bool Contains(string log, string id) => log.Contains($"\"request_id\":\"{id}\"", StringComparison.Ordinal);

    [Theory]
    [InlineData(AuditDurability.Written)]
    [InlineData(AuditDurability.Synced)]
    public async Task RecordAndWaitAsync_WhenTheWaitEnds_TheRecordIsInTheFile(AuditDurability durability)
    {
        var log = NewLog(durability);
        await log.StartAsync(CancellationToken.None);
        for (var i = 0; i < 30; i++)
        {
            // Catch the writer in each of its states: asleep (quiet for longer than a checkpoint interval), lingering
            // after a record nobody waits for, or just done with a batch.
            switch (i % 3)
            {
                case 0:
                    await Task.Delay(150);
                    break;
                case 1:
                    log.Record(Decision("unwaited-" + i));
                    break;
            }

            Assert.True(await log.RecordAndWaitAsync(Decision("waited-" + i)).AsTask().WaitAsync(Wait));
            Assert.True(Contains(ReadShared(LogPath), "waited-" + i), $"record waited-{i} is not in the file when its wait ended");
        }

        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);
        var result = AuditChain.Verify(LogPath);
        Assert.True(result.Ok, result.Message);
        Assert.Equal(40, result.Records);
    }

    [Fact]
    public async Task RecordAndWaitAsync_ManyConcurrentWaiters_EachRecordIsInTheFileWhenItsWaitEnds()
    {
        // At each release the producer notes the file's length; its record's line must end within it.
        var log = NewLog(AuditDurability.Written);
        await log.StartAsync(CancellationToken.None);
        const int Producers = 8, PerProducer = 300;
        var released = new ConcurrentDictionary<string, long>();
        var producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                if (i % 5 == 0)
                {
                    log.Record(Decision($"unwaited-{p}-{i}"));
                }

                var id = $"waited-{p}-{i}";
                Assert.True(await log.RecordAndWaitAsync(Decision(id)));
                released[id] = new FileInfo(LogPath).Length;
                if (i % 100 == 99)
                {
                    await Task.Delay(120); // now and then all producers pause and the writer falls asleep
                }
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60));
        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);

        var ends = new Dictionary<string, long>();
        var bytes = File.ReadAllBytes(LogPath);
        for (int start = 0, end; start < bytes.Length; start = end + 1)
        {
            end = Array.IndexOf(bytes, (byte)'\n', start);
            using var line = JsonDocument.Parse(bytes.AsMemory(start, end - start));
            ends[line.RootElement.GetProperty("request_id").GetString()!] = end + 1;
        }

        Assert.Equal(Producers * PerProducer, released.Count);
        Assert.All(released, r => Assert.True(ends[r.Key] <= r.Value, $"{r.Key} was released when the file had {r.Value} bytes; its line ends at {ends[r.Key]}"));
        Assert.Equal(Producers * PerProducer * 6 / 5, ends.Count);
        var result = AuditChain.Verify(LogPath);
        Assert.True(result.Ok, result.Message);
    }

    [Fact]
    public async Task RecordAndWaitAsync_Async_CompletesAtOnceWhileWrittenWaitsForTheWriter()
    {
        // Neither log is started yet: nothing is written.
        var asyncLog = NewLog(AuditDurability.Async);
        var atOnce = asyncLog.RecordAndWaitAsync(Decision("async"));
        Assert.True(atOnce.IsCompletedSuccessfully);
        Assert.True(await atOnce);

        var writtenPath = Path.Combine(_dir, "written.log");
        var writtenLog = NewLog(AuditDurability.Written, writtenPath);
        var waiting = writtenLog.RecordAndWaitAsync(Decision("written"));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        await writtenLog.StartAsync(CancellationToken.None);
        Assert.True(await waiting.AsTask().WaitAsync(Wait));
        Assert.True(Contains(ReadShared(writtenPath), "written"));

        // The async record is written all the same, later.
        await asyncLog.StartAsync(CancellationToken.None);
        await asyncLog.FlushAsync(Wait);
        Assert.True(Contains(ReadShared(LogPath), "async"));
        await asyncLog.StopAsync(CancellationToken.None).WaitAsync(Wait);
        await writtenLog.StopAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RecordAndWaitAsync_ResumeOnWriter_TheWriterRunsTheContinuationOnlyWhenAsked(bool resumeOnWriter)
    {
        // The continuation is registered before the log starts (nothing can complete the wait earlier), without a
        // synchronization context, so it runs wherever the log resumes it.
        var log = NewLog(AuditDurability.Written);
        var resumed = WhereResumed(log.RecordAndWaitAsync(Decision("waited"), resumeOnWriter), () => Contains(ReadShared(LogPath), "waited"));
        await log.StartAsync(CancellationToken.None);

        var (thread, inFile) = await resumed.WaitAsync(Wait);
        Assert.True(inFile);
        Assert.Equal(resumeOnWriter, thread == "Vigil decision log");
        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task RecordAndWaitAsync_FileCannotBeWritten_ReturnsFalseUntilItCan()
    {
        Directory.CreateDirectory(LogPath); // something else sits at the log's path
        var log = NewLog(AuditDurability.Written);
        await log.StartAsync(CancellationToken.None);
        Assert.False(await log.RecordAndWaitAsync(Decision("lost")).AsTask().WaitAsync(Wait));

        Directory.Delete(LogPath);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (log.Failing)
            {
                await Task.Delay(50, deadline.Token); // the writer retries every second by itself
            }
        }

        Assert.True(await log.RecordAndWaitAsync(Decision("kept")).AsTask().WaitAsync(Wait));
        var lines = ReadShared(LogPath).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("1 record(s) before this one were lost", lines[0], StringComparison.Ordinal);
        Assert.True(Contains(lines[1], "kept"));
        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task RecordAndWaitAsync_RacingStop_EveryWaitEndsAndEveryTrueIsInTheFile()
    {
        var log = NewLog(AuditDurability.Written);
        await log.StartAsync(CancellationToken.None);
        var results = new ConcurrentDictionary<string, bool>();
        using var stop = new CancellationTokenSource();
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"r-{p}-{i}";
                if (!(results[id] = await log.RecordAndWaitAsync(Decision(id)).AsTask().WaitAsync(Wait)))
                {
                    return; // refused: the log has stopped
                }
            }
        })).ToArray();

        await Task.Delay(200);
        await log.StopAsync(CancellationToken.None).WaitAsync(Wait);
        await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(producers).WaitAsync(Wait);

        var log2 = ReadShared(LogPath);
        Assert.Contains(results, r => r.Value);
        Assert.Contains(results, r => !r.Value); // after the stop: refused, not left waiting
        Assert.All(results.Where(r => r.Value), r => Assert.True(Contains(log2, r.Key), $"{r.Key} was released as written but is not in the file"));
        Assert.True(AuditChain.Verify(LogPath).Ok);
    }
}
