using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Server.Audit;

/// <summary>
/// The decision log writer. <see cref="Record"/> only enqueues (never blocks the request path); one background
/// task seals records into the hash chain and appends them in batches. Stopping drains the queue first.
/// </summary>
public sealed partial class DecisionLog : IHostedService, IAsyncDisposable
{
    private readonly Channel<AuditRecord> _channel = Channel.CreateUnbounded<AuditRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _path;
    private readonly long _maxFileSize;
    private readonly ILogger<DecisionLog> _logger;
    private Task? _writer;
    private long _written;

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
        if (!_channel.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _written);
            LogDropped(_logger, record.Kind, record.RequestId);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _writer ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
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

    private const long CheckpointIntervalMs = 100;
    private static readonly TimeSpan BatchLinger = TimeSpan.FromMilliseconds(2);
    private long _enqueued;
    private TaskCompletionSource _batchWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task WriteLoopAsync()
    {
        var (seq, prev) = AuditChain.ReadChainTail(_path);
        if (AuditChain.ReadCheckpoint(AuditChain.CheckpointPath(_path)) is { } checkpoint && checkpoint.Seq > seq)
        {
            // The file lost its end since the last run. Continue the chain from the checkpoint so the gap stays visible
            // to `vigil audit verify` (as removed records) instead of being papered over by a fresh checkpoint.
            LogTruncated(_logger, seq + 1, checkpoint.Seq);
            (seq, prev) = checkpoint;
        }

        var reader = _channel.Reader;
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
                bool more;
                if (checkpointSeq == seq)
                {
                    more = await reader.WaitToReadAsync().ConfigureAwait(false);
                }
                else
                {
                    var due = CheckpointIntervalMs - (Environment.TickCount64 - lastCheckpoint);
                    if (due <= 0)
                    {
                        Checkpoint();
                        continue;
                    }

                    using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(due));
                    try
                    {
                        more = await reader.WaitToReadAsync(quiet.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        Checkpoint();
                        continue;
                    }
                }

                if (!more)
                {
                    break;
                }

                // Linger briefly so records arriving meanwhile join this batch: while the writer sleeps, Record() only
                // enqueues (it does not wake a waiting reader), and one write covers many records instead of one.
                await Task.Delay(BatchLinger).ConfigureAwait(false);

                var count = 0;
                while (count < 4096 && reader.TryRead(out var record))
                {
                    try
                    {
                        var (line, hash) = AuditChain.SealInPlace(record, seq + 1, prev);
                        stream.Write(line.Span);
                        stream.WriteByte((byte)'\n');
                        fileSize += line.Length + 1;
                        seq++;
                        prev = hash;
                        count++;
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        LogWriteFailed(_logger, ex);
                        count++;
                    }
                }

                try
                {
                    await stream.FlushAsync().ConfigureAwait(false);
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
                        await stream.DisposeAsync().ConfigureAwait(false);
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
            }

            if (checkpointSeq != seq)
            {
                Checkpoint();
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
