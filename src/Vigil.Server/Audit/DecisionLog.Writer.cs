using System.Buffers;
using Vigil.Server.Configuration;

namespace Vigil.Server.Audit;

/// <summary>The writer thread: batches, the hash chain's position, the checkpoint and rotation.</summary>
public sealed partial class DecisionLog
{
    /// <summary>A batch is written in pieces of about this size (each ends with a whole line), so memory stays bounded.</summary>
    private const int ChunkSize = 256 * 1024;

    /// <summary>How many of a batch's waiting requests the writer resumes itself; the rest go to the thread pool.</summary>
    private const int InlineReleases = 32;

    // Writer-thread state: the chain position, the open file, the batch being written and the requests waiting for it.
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly List<RecordWaiter> _batchWaiters = [];
    private long _seq;
    private string _prev = AuditChain.Genesis;
    private FileStream? _stream;
    private long _fileSize;
    private long _lastCheckpoint;
    private long _checkpointSeq = -1;

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
            ReleaseWaiters(written: false, inline: false); // a batch the exception interrupted
            Interlocked.Exchange(ref _writerGone, 1);
            FailAbandoned();
            _batchWritten.TrySetResult();
        }
    }

    private void WriteAll()
    {
        CutTornTail();
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

                    if (!Sleep(due))
                    {
                        if (Failing)
                        {
                            TryRecover(); // a quiet log still finds out that the disk has room again
                        }

                        continue;
                    }

                    // Linger briefly so records arriving meanwhile join this batch: one write covers many records.
                    LingerUnlessAwaited();
                }

                var written = WriteBatch(MaxBatch);
                if (_checkpointSeq != _seq && Environment.TickCount64 - _lastCheckpoint >= CheckpointIntervalMs)
                {
                    Checkpoint();
                }

                if (written < MaxBatch && !_completing)
                {
                    // Under steady load records keep arriving while a batch is written: going straight back for them
                    // would make many small batches, each a write, a free-space check and often a sleep and wake-up.
                    // Lingering after every batch as well keeps batches at about BatchLingerMs worth of records.
                    LingerUnlessAwaited();
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

    /// <summary>Sleeps until a record arrives, the log stops or <paramref name="due"/> ms pass; true when records are queued.</summary>
    private bool Sleep(int due)
    {
        // Announce the sleep with a full fence, then look again: a record enqueued in between either sees the state (and
        // wakes us) or is seen here. No spinning before blocking: a spinning writer takes CPU from the requests.
        _wake.Reset();
        Interlocked.Exchange(ref _writerState, Asleep);
        if (_queue.IsEmpty && !_completing)
        {
            _wake.Wait(due);
        }

        Volatile.Write(ref _writerState, Working);
        return !_queue.IsEmpty;
    }

    /// <summary>
    /// Waits up to <see cref="BatchLingerMs"/> for more records to join the next batch, unless a request waits for a
    /// queued record: then the batch goes out now (group commit needs no linger: what arrives during one write forms the
    /// next batch), and a waited record arriving during the linger ends it.
    /// </summary>
    private void LingerUnlessAwaited()
    {
        if (Volatile.Read(ref _waiting) != 0)
        {
            return;
        }

        _wake.Reset();
        Interlocked.Exchange(ref _writerState, Lingering);
        if (Volatile.Read(ref _waiting) == 0 && !_completing)
        {
            _wake.Wait(BatchLingerMs);
        }

        Volatile.Write(ref _writerState, Working);
    }

    /// <summary>
    /// Seals up to <paramref name="max"/> queued records and appends them in one write (pieces of <see cref="ChunkSize"/>
    /// for a very large batch), fsynced with <see cref="AuditDurability.Synced"/>; then releases the requests waiting
    /// for them. Returns how many it took.
    /// </summary>
    private int WriteBatch(int max)
    {
        if (Failing)
        {
            TryRecover();
        }

        var count = 0;
        var batchStart = (_seq, _fileSize);
        var open = _stream is not null;
        var failure = (Exception?)null;
        _buffer.ResetWrittenCount();
        while (count < max && _queue.TryDequeue(out var pending))
        {
            count++;
            if (pending.Waiter is { } waiter)
            {
                _batchWaiters.Add(waiter);
            }

            // A record the file cannot take is lost, but its seq is used up so that `vigil audit verify` shows the loss
            // as removed records once writing works again.
            _seq++;
            if (!open || failure is not null)
            {
                continue;
            }

            var (line, hash) = AuditChain.SealInPlace(pending.Record, _seq, _prev);
            _prev = hash;
            _buffer.Write(line.Span);
            _buffer.Write("\n"u8);
            if (_buffer.WrittenCount >= ChunkSize)
            {
                failure = WriteBuffer(sync: false);
            }
        }

        if (open && failure is null && count > 0)
        {
            failure = WriteBuffer(sync: _durability == AuditDurability.Synced);
        }

        if (failure is not null)
        {
            // Part of the batch may be on disk, possibly a partial line: cut the file back to the last whole batch so
            // the file stays a clean chain, and reopen on the next batch.
            Fail(failure, batchStart.Item2, batchStart.Item1);
        }
        else if (open && SpaceCheckDue() && LowOnSpace() is { } low)
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

        // Released only now, after the write (and fsync) returned: no request is forwarded before its record is written.
        ReleaseWaiters(written: open && failure is null, inline: true);
        return count;
    }

    /// <summary>Appends the buffered lines with one write (then fsyncs when asked); the error, or null.</summary>
    private Exception? WriteBuffer(bool sync)
    {
        try
        {
            if (_buffer.WrittenCount > 0)
            {
                _stream!.Write(_buffer.WrittenSpan);
                _fileSize += _buffer.WrittenCount;
                _buffer.ResetWrittenCount();
            }

            if (sync)
            {
                _stream!.Flush(flushToDisk: true);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            return ex;
        }
    }

    /// <summary>
    /// Answers the requests waiting for the batch just handled: written, or lost. With <paramref name="inline"/> the
    /// writer resumes up to <see cref="InlineReleases"/> of those that allow it (the gateway's) itself, each until it
    /// waits for its upstream (a few microseconds: forwarding is asynchronous from the first byte). Handing each to the
    /// thread pool instead costs thread wake-ups: measured at one connection, 11 futex calls and 11 context switches per
    /// request against 4 and 6. The others, and the rest of a large batch, go to the pool, which runs them in parallel.
    /// </summary>
    private void ReleaseWaiters(bool written, bool inline)
    {
        var count = _batchWaiters.Count;
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _waiting, -count);
        var resumeHere = 0;
        for (var i = 0; i < count; i++)
        {
            var waiter = _batchWaiters[i];
            if (inline && waiter.ResumeOnWriter && resumeHere < InlineReleases)
            {
                _batchWaiters[resumeHere++] = waiter; // kept for the loop below, after the pool has its share
            }
            else
            {
                waiter.Complete(written, inline: false);
            }
        }

        for (var i = 0; i < resumeHere; i++)
        {
            try
            {
                _batchWaiters[i].Complete(written, inline: true);
            }
            catch (Exception ex)
            {
                // An awaiter that throws from its continuation (an async method never does) must not stop the log.
                LogResumeFailed(_logger, ex);
            }
        }

        _batchWaiters.Clear();
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
            AuditChain.WriteCheckpoint(_path, _seq, _prev, flushToDisk: _durability == AuditDurability.Synced);
            _checkpointSeq = _seq;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, ex);
        }

        _lastCheckpoint = Environment.TickCount64;
    }
}
