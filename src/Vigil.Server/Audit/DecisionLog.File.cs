using System.Buffers;
using Vigil.Server.Configuration;

namespace Vigil.Server.Audit;

/// <summary>The writer thread's file: opening, failing and recovering, free space, a cut-off last line.</summary>
public sealed partial class DecisionLog
{
    /// <summary>
    /// The free space the log's file system must keep: 4 MB, or a tenth of a smaller file system. Below it the log
    /// counts as failing, and it only recovers above it.
    /// </summary>
    public const long FreeSpaceFloor = 4L << 20;

    /// <summary>Bytes written after which a batch checks the free space even within the same clock tick.</summary>
    private const long SpaceCheckBytes = 64 * 1024;

    private long _lastGoodSeq;
    private long _spaceFloor;
    private long _spaceCheckedAt = -1;
    private long _spaceCheckedSize;

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

    /// <summary>Unbuffered: the writer hands each batch to one write of its own (a killed process leaves whole lines, or one cut-off line at the end).</summary>
    private FileStream Open() => new(_path, Storage.PrivateFiles.Append(0)); // 0600: who did what, from where

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

    /// <summary>
    /// While failing: reopens the file and proves it writable by appending a record of the resumption (which also
    /// says how many records were lost). Only a completed write ends the failure: opening alone succeeds on a full disk.
    /// </summary>
    private void TryRecover()
    {
        if (LowOnSpace() is not null || (_stream is null && !TryOpen()))
        {
            return; // a write that fits in the last free page proves nothing: wait for real room
        }

        var start = (_seq, _prev, _fileSize);
        var lost = _seq - _lastGoodSeq;
        var (line, hash) = AuditChain.SealInPlace(new AuditRecord
        {
            Kind = "audit", Time = _time.GetUtcNow(), Decision = "resumed",
            Reason = $"the decision log could not be written; {lost} record(s) before this one were lost",
        }, _seq + 1, _prev);
        _buffer.ResetWrittenCount();
        _buffer.Write(line.Span);
        _buffer.Write("\n"u8);
        if (WriteBuffer(sync: _durability == AuditDurability.Synced) is { } failure)
        {
            (_seq, _prev) = (start.Item1, start.Item2);
            Fail(failure, start.Item3, _lastGoodSeq);
            return;
        }

        _seq++;
        _prev = hash;
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
            // Nothing is buffered (every write goes straight to the file), but closing may still report an error.
        }

        _stream = null;
    }

    /// <summary>
    /// Whether a written batch checks the free space: at most once per clock tick (a few ms) unless 64 KB went out
    /// since, far finer than the floor. Small batches in quick succession (waiting requests) would otherwise each pay
    /// a statfs.
    /// </summary>
    private bool SpaceCheckDue()
    {
        var now = Environment.TickCount64;
        if (now == _spaceCheckedAt && _fileSize - _spaceCheckedSize < SpaceCheckBytes)
        {
            return false;
        }

        (_spaceCheckedAt, _spaceCheckedSize) = (now, _fileSize);
        return true;
    }

    /// <summary>An error describing the shortage when the log's file system is nearly full; null when it is not (or cannot be asked).</summary>
    private IOException? LowOnSpace()
    {
        try
        {
            var drive = new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            if (_spaceFloor == 0)
            {
                _spaceFloor = Math.Min(FreeSpaceFloor, drive.TotalSize / 10); // a statfs of its own: once
            }

            var free = drive.AvailableFreeSpace;
            return free < _spaceFloor ? new IOException($"only {free} bytes free on the log's file system (at least {_spaceFloor} kept free)") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // the writes themselves still tell
        }
    }

    /// <summary>
    /// A process killed while writing a batch can leave the file ending in part of a line (the kernel stops a write
    /// between pages). No request waited for that record (requests are released only after the write returned), and
    /// appending after it would glue the next record to it: cut it off before the chain continues.
    /// </summary>
    private void CutTornTail()
    {
        try
        {
            var torn = AuditChain.TornTailLength(_path);
            if (torn == 0)
            {
                return;
            }

            using (var file = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            {
                file.SetLength(file.Length - torn);
            }

            LogTornTailCut(_logger, torn, _path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reported by the open that follows, if the file cannot be written at all.
        }
    }
}
