using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Server.Audit;

/// <summary>
/// The decision log writer. <see cref="Record"/> only enqueues (never blocks the request path, and wakes the writer
/// only when it is asleep); one dedicated writer thread seals records into the hash chain and appends them in
/// batches with plain synchronous writes, so no timer or thread-pool hop is paid per batch. Stopping drains the
/// queue first.
/// </summary>
public sealed partial class DecisionLog : IHostedService, IAsyncDisposable
{
    private const long CheckpointIntervalMs = 100;

    /// <summary>How long the writer waits after waking so records arriving meanwhile join the batch.</summary>
    private const int BatchLingerMs = 2;

    private readonly ConcurrentQueue<AuditRecord> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _path;
    private readonly long _maxFileSize;
    private readonly ILogger<DecisionLog> _logger;
    private Thread? _writer;
    private long _enqueued;
    private long _written;
    private int _asleep;
    private volatile bool _completing;
    private TaskCompletionSource _batchWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="path">The log file.</param>
    /// <param name="logger">Where write failures are reported.</param>
    /// <param name="maxFileSize">
    /// When the file reaches this size it is renamed to <see cref="AuditChain.RotatedPath"/> and a new file continues the
    /// chain. <see cref="long.MaxValue"/>: never rotate.
    /// </param>
    public DecisionLog(string path, ILogger<DecisionLog> logger, long maxFileSize = long.MaxValue)
    {
        _path = path;
        _logger = logger;
        _maxFileSize = maxFileSize;
    }

    /// <summary>Records written so far (for tests and metrics).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Enqueues a record; returns immediately.</summary>
    public void Record(AuditRecord record)
    {
        Interlocked.Increment(ref _enqueued);
        if (_completing)
        {
            Interlocked.Increment(ref _written);
            LogDropped(_logger, record.Kind, record.RequestId);
            return;
        }

        _queue.Enqueue(record);
        // Only a sleeping writer needs a wake-up; while it works (or lingers) it picks the record up by itself.
        if (Volatile.Read(ref _asleep) == 1 && Interlocked.Exchange(ref _asleep, 0) == 1)
        {
            _wake.Set();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        if (_writer is null)
        {
            _writer = new Thread(WriteLoop) { IsBackground = true, Name = "Vigil decision log" };
            _writer.Start();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _completing = true;
        _wake.Set();
        if (_writer is not null)
        {
            await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until everything enqueued so far is on disk (tests and shutdown).</summary>
    public async Task FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _enqueued);
        using var cts = new CancellationTokenSource(timeout);
        while (Interlocked.Read(ref _written) < target)
        {
            var signal = Volatile.Read(ref _batchWritten);
            if (Interlocked.Read(ref _written) >= target)
            {
                break;
            }

            await signal.Task.WaitAsync(cts.Token).ConfigureAwait(false);
        }
    }

    private void WriteLoop()
    {
        try
        {
            WriteAll();
            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            LogWriteFailed(_logger, ex);
            _stopped.TrySetException(ex);
        }
    }

    private void WriteAll()
    {
        var (seq, prev) = AuditChain.ReadChainTail(_path);
        if (AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(_path)) is { } checkpoint && checkpoint.Seq > seq)
        {
            // The file lost its end since the last run. Continue the chain from the checkpoint so the gap stays visible
            // to `vigil audit verify` (as removed records) instead of being papered over by a fresh checkpoint.
            LogTruncated(_logger, seq + 1, checkpoint.Seq);
            (seq, prev) = checkpoint;
        }

        var lastCheckpoint = 0L;
        var checkpointSeq = -1L;
        void Checkpoint()
        {
            try
            {
                AuditChain.WriteCheckpoint(_path, seq, prev);
                checkpointSeq = seq;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogWriteFailed(_logger, ex);
            }

            lastCheckpoint = Environment.TickCount64;
        }

        var stream = Open();
        var fileSize = stream.Length;
        try
        {
            // The checkpoint (a write and a rename) is replaced at most every CheckpointIntervalMs while records keep
            // coming, and once the log has been quiet that long; the loop's end (shutdown) brings it fully up to date.
            while (true)
            {
                if (_queue.IsEmpty)
                {
                    if (_completing)
                    {
                        break;
                    }

                    var due = checkpointSeq == seq ? Timeout.Infinite : (int)Math.Max(0, CheckpointIntervalMs - (Environment.TickCount64 - lastCheckpoint));
                    if (due == 0)
                    {
                        Checkpoint();
                        continue;
                    }

                    // Announce the sleep, then look again: a record enqueued in between either sees the flag (and wakes
                    // us) or is seen here. No spinning before blocking: a spinning writer takes CPU from the requests.
                    _wake.Reset();
                    Volatile.Write(ref _asleep, 1);
                    if (_queue.IsEmpty && !_completing)
                    {
                        _wake.Wait(due);
                    }

                    Volatile.Write(ref _asleep, 0);

                    if (_queue.IsEmpty)
                    {
                        continue;
                    }

                    // Linger briefly so records arriving meanwhile join this batch: one write covers many records.
                    Thread.Sleep(BatchLingerMs);
                }

                var count = 0;
                while (count < 4096 && _queue.TryDequeue(out var record))
                {
                    try
                    {
                        var (line, hash) = AuditChain.SealInPlace(record, seq + 1, prev);
                        stream.Write(line.Span);
                        stream.WriteByte((byte)'\n');
                        fileSize += line.Length + 1;
                        seq++;
                        prev = hash;
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        LogWriteFailed(_logger, ex);
                    }

                    count++;
                }

                try
                {
                    stream.Flush();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    LogWriteFailed(_logger, ex);
                }

                if (fileSize >= _maxFileSize)
                {
                    try
                    {
                        // The full file keeps its records under a name ending in its last seq; the new file continues the chain.
                        stream.Dispose();
                        var rotated = AuditChain.RotatedPath(_path, seq);
                        File.Move(_path, rotated);
                        LogRotated(_logger, rotated, seq);
                        Checkpoint();
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        LogWriteFailed(_logger, ex);
                    }

                    stream = Open();
                    fileSize = stream.Length;
                }

                Interlocked.Add(ref _written, count);
                Interlocked.Exchange(ref _batchWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                if (checkpointSeq != seq && Environment.TickCount64 - lastCheckpoint >= CheckpointIntervalMs)
                {
                    Checkpoint();
                }
            }

            // Records enqueued while the loop was ending (a request finishing during shutdown) still go out.
            var late = 0;
            while (_queue.TryDequeue(out var record))
            {
                var (line, hash) = AuditChain.SealInPlace(record, seq + 1, prev);
                stream.Write(line.Span);
                stream.WriteByte((byte)'\n');
                seq++;
                prev = hash;
                late++;
            }

            stream.Flush();
            Interlocked.Add(ref _written, late);
            if (checkpointSeq != seq)
            {
                Checkpoint();
            }
        }
        finally
        {
            stream.Dispose();
            _batchWritten.TrySetResult();
        }
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
