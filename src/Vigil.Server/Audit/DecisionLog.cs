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
    private readonly TimeProvider _time;
    private Thread? _writer;
    private long _enqueued;
    private long _written;
    private int _asleep;
    private int _failing;
    private int _dropping;
    private long _dropped;
    private volatile bool _writerDead;
    private volatile bool _completing;
    private TaskCompletionSource _batchWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="path">The log file.</param>
    /// <param name="logger">Where write failures are reported.</param>
    /// <param name="maxFileSize">
    /// When the file reaches this size it is renamed to <see cref="AuditChain.RotatedPath"/> and a new file continues the
    /// chain. <see cref="long.MaxValue"/>: never rotate.
    /// </param>
    /// <param name="time">The clock of the records the log writes itself (resumption after a failure).</param>
    public DecisionLog(string path, ILogger<DecisionLog> logger, long maxFileSize = long.MaxValue, TimeProvider? time = null)
    {
        _path = path;
        _logger = logger;
        _maxFileSize = maxFileSize;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Records waiting for the writer beyond which new ones are dropped rather than held in memory (about 30 MB).
    /// </summary>
    public const long MaxPending = 100_000;

    /// <summary>How often a failing log tries its file again while no records arrive.</summary>
    public static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(1);

    /// <summary>Records handled so far, written or lost (for tests and metrics).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records enqueued and not yet handled by the writer.</summary>
    public long Pending => Interlocked.Read(ref _enqueued) - Interlocked.Read(ref _written);

    /// <summary>Records dropped because the backlog was full or the log was stopping.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The file cannot be written at the moment (the writer retries on every batch, and every second).</summary>
    public bool Failing => Volatile.Read(ref _failing) != 0;

    /// <summary>
    /// Whether decisions are reaching the file: false while writes fail, while the backlog is full, or after the
    /// writer stopped unexpectedly. With <c>audit.on_failure: deny</c> the gateway refuses requests meanwhile.
    /// </summary>
    public bool Healthy => !Failing && !_writerDead && Volatile.Read(ref _dropping) == 0;

    /// <summary>Enqueues a record; returns immediately.</summary>
    public void Record(AuditRecord record)
    {
        var enqueued = Interlocked.Increment(ref _enqueued);
        if (_completing || enqueued - Interlocked.Read(ref _written) > MaxPending)
        {
            Interlocked.Increment(ref _written);
            Interlocked.Increment(ref _dropped);
            if (_completing)
            {
                LogDropped(_logger, record.Kind, record.RequestId);
            }
            else if (Interlocked.Exchange(ref _dropping, 1) == 0)
            {
                LogDroppingStarted(_logger, MaxPending);
            }

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
        Storage.PrivateFiles.CreateFolder(Path.GetDirectoryName(Path.GetFullPath(_path))!);
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
            if (Interlocked.Read(ref _written) >= target || _stopped.Task.IsCompleted)
            {
                break; // done, or the writer is gone and nothing more will be written
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
            // Not expected (every file operation is guarded): the log is down for good, so say so and fail health.
            _writerDead = true;
            LogWriterStopped(_logger, ex);
            _stopped.TrySetException(ex);
        }
        finally
        {
            _batchWritten.TrySetResult();
        }
    }

    // Writer-thread state: the chain position and the open file.
    private long _seq;
    private string _prev = AuditChain.Genesis;
    private FileStream? _stream;
    private long _fileSize;
    private long _lastCheckpoint;
    private long _checkpointSeq = -1;

    private void WriteAll()
    {
        (_seq, _prev) = AuditChain.ReadChainTail(_path);
        if (AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(_path)) is { } checkpoint && checkpoint.Seq > _seq)
        {
            // The file lost its end since the last run. Continue the chain from the checkpoint so the gap stays visible
            // to `vigil audit verify` (as removed records) instead of being papered over by a fresh checkpoint.
            LogTruncated(_logger, _seq + 1, checkpoint.Seq);
            (_seq, _prev) = checkpoint;
        }

        TryOpen();
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

                    var due = _checkpointSeq == _seq || Failing ? RetryDelay() : (int)Math.Max(0, CheckpointIntervalMs - (Environment.TickCount64 - _lastCheckpoint));
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
                        if (Failing)
                        {
                            TryRecover(); // a quiet log still finds out that the disk has room again
                        }

                        continue;
                    }

                    // Linger briefly so records arriving meanwhile join this batch: one write covers many records.
                    Thread.Sleep(BatchLingerMs);
                }

                var written = WriteBatch(4096);
                if (_checkpointSeq != _seq && Environment.TickCount64 - _lastCheckpoint >= CheckpointIntervalMs)
                {
                    Checkpoint();
                }

                if (written < 4096 && !_completing)
                {
                    // Under steady load records keep arriving while a batch is written: going straight back for them
                    // would make many small batches, each a write, a free-space check and often a sleep and wake-up.
                    // Lingering after every batch as well keeps batches at about BatchLingerMs worth of records.
                    Thread.Sleep(BatchLingerMs);
                }
            }

            // Records enqueued while the loop was ending (a request finishing during shutdown) still go out.
            while (!_queue.IsEmpty)
            {
                WriteBatch(int.MaxValue);
            }

            if (_checkpointSeq != _seq)
            {
                Checkpoint();
            }
        }
        finally
        {
            CloseQuietly();
        }
    }

    private int RetryDelay() => Failing ? (int)FailureRetry.TotalMilliseconds : Timeout.Infinite;

    /// <summary>Seals and appends up to <paramref name="max"/> queued records, then flushes them in one write; returns how many it took.</summary>
    private int WriteBatch(int max)
    {
        if (Failing)
        {
            TryRecover();
        }

        var count = 0;
        var batchStart = (_seq, _prev, _fileSize);
        var failure = (Exception?)null;
        while (count < max && _queue.TryDequeue(out var record))
        {
            count++;
            if (_stream is null || failure is not null)
            {
                // The file cannot be written: the record is lost, but its seq is used up so that `vigil audit verify`
                // shows the loss as removed records once writing works again.
                _seq++;
                continue;
            }

            try
            {
                var (line, hash) = AuditChain.SealInPlace(record, _seq + 1, _prev);
                _stream.Write(line.Span);
                _stream.WriteByte((byte)'\n');
                _fileSize += line.Length + 1;
                _seq++;
                _prev = hash;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
            {
                failure = ex;
                _seq++;
            }
        }

        if (_stream is not null && failure is null)
        {
            try
            {
                _stream.Flush();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
            {
                failure = ex;
            }
        }

        if (failure is not null)
        {
            // Part of the batch may be on disk, possibly a partial line: cut the file back to the last whole batch so
            // the file stays a clean chain, and reopen on the next batch.
            Fail(failure, batchStart.Item3, batchStart.Item1);
        }
        else if (_stream is not null && LowOnSpace() is { } low)
        {
            // Written, but the disk is nearly full: fail now, while every decision so far is on record, rather than at
            // the write that no longer fits (with on_failure: deny, nothing more is forwarded until there is room).
            Fail(low, goodSize: null, _seq);
        }

        if (_stream is not null && _fileSize >= _maxFileSize)
        {
            Rotate();
        }

        Interlocked.Add(ref _written, count);
        if (_dropping != 0 && Pending < MaxPending / 2 && Interlocked.Exchange(ref _dropping, 0) != 0)
        {
            LogDroppingEnded(_logger, Interlocked.Read(ref _dropped));
        }

        Interlocked.Exchange(ref _batchWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return count;
    }

    private void Rotate()
    {
        try
        {
            // The full file keeps its records under a name ending in its last seq; the new file continues the chain.
            CloseQuietly();
            var rotated = AuditChain.RotatedPath(_path, _seq);
            File.Move(_path, rotated);
            LogRotated(_logger, rotated, _seq);
            Checkpoint();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, ex);
        }

        TryOpen();
    }

    private void Checkpoint()
    {
        if (Failing)
        {
            return; // the checkpoint names the last record on disk; it moves again once writing works
        }

        try
        {
            AuditChain.WriteCheckpoint(_path, _seq, _prev);
            _checkpointSeq = _seq;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, ex);
        }

        _lastCheckpoint = Environment.TickCount64;
    }

    private bool TryOpen()
    {
        try
        {
            _stream = Open();
            _fileSize = _stream.Length;
            Storage.PrivateFiles.Tighten(_path); // a log written by an older version may still be readable by others
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _stream = null;
            Fail(ex, goodSize: null, _seq);
            return false;
        }
    }

    /// <param name="ex">What failed.</param>
    /// <param name="goodSize">The file's length after the last whole batch (it is cut back to that), null when unknown.</param>
    /// <param name="goodSeq">The seq of the last record known to be on disk.</param>
    private void Fail(Exception ex, long? goodSize, long goodSeq)
    {
        CloseQuietly();
        if (goodSize is { } size)
        {
            try
            {
                using var file = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                if (file.Length > size)
                {
                    file.SetLength(size);
                }
            }
            catch (Exception truncateError) when (truncateError is IOException or UnauthorizedAccessException)
            {
                LogWriteFailed(_logger, truncateError);
            }
        }

        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            _lastGoodSeq = goodSeq;
            LogFailing(_logger, ex, _path);
        }
    }

    private long _lastGoodSeq;

    /// <summary>
    /// While failing: reopens the file and proves it writable by appending a record of the resumption (which also
    /// says how many records were lost). Only a flushed write ends the failure: opening alone succeeds on a full disk.
    /// </summary>
    private void TryRecover()
    {
        if (LowOnSpace() is not null || (_stream is null && !TryOpen()))
        {
            return; // a write that fits in the last free page proves nothing: wait for real room
        }

        var start = (_seq, _prev, _fileSize);
        try
        {
            var lost = _seq - _lastGoodSeq;
            var (line, hash) = AuditChain.SealInPlace(new AuditRecord
            {
                Kind = "audit", Time = _time.GetUtcNow(), Decision = "resumed",
                Reason = $"the decision log could not be written; {lost} record(s) before this one were lost",
            }, _seq + 1, _prev);
            _stream!.Write(line.Span);
            _stream.WriteByte((byte)'\n');
            _stream.Flush();
            _fileSize += line.Length + 1;
            _seq++;
            _prev = hash;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            (_seq, _prev) = (start.Item1, start.Item2);
            Fail(ex, start.Item3, _lastGoodSeq);
            return;
        }

        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            LogRecovered(_logger, _path);
            Checkpoint();
        }
    }

    private void CloseQuietly()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Disposing flushes what is still buffered; on a full disk that fails again. The handle is closed anyway.
        }

        _stream = null;
    }

    /// <summary>
    /// The free space the log's file system must keep: 4 MB, or a tenth of a smaller file system. Below it the log
    /// counts as failing, and it only recovers above it.
    /// </summary>
    public const long FreeSpaceFloor = 4L << 20;

    /// <summary>An error describing the shortage when the log's file system is nearly full; null when it is not (or cannot be asked).</summary>
    private IOException? LowOnSpace()
    {
        try
        {
            var drive = new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            var floor = Math.Min(FreeSpaceFloor, drive.TotalSize / 10);
            var free = drive.AvailableFreeSpace;
            return free < floor ? new IOException($"only {free} bytes free on the log's file system (at least {floor} kept free)") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // the writes themselves still tell
        }
    }

    private FileStream Open() => new(_path, Storage.PrivateFiles.Append(64 * 1024)); // 0600: who did what, from where

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
