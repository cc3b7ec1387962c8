using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Configuration;

namespace Vigil.Server.Audit;

/// <summary>
/// The decision log writer. <see cref="Record"/> only enqueues (never blocks the request path, and wakes the writer
/// only when it is asleep); <see cref="RecordAndWaitAsync(AuditRecord)"/> also lets the request wait, without holding a thread,
/// until its record is in the file (<see cref="AuditDurability"/>). One dedicated writer thread seals records into the
/// hash chain and appends each batch with one synchronous write (group commit: one write serves every request that
/// arrived meanwhile), so no timer or thread-pool hop is paid per batch. Stopping drains the queue first.
/// </summary>
/// <remarks>
/// The hand-off between requests and the writer is lock-free. The writer announces that it is asleep or lingering
/// with a full fence before it looks at the queue once more, and a request enqueues (a full fence) before it looks at
/// that state, so at least one of them sees the other: no record waits for a writer that sleeps without a deadline.
/// A waiting request gets a <see cref="RecordWaiter"/> that only the writer completes, after the write (and fsync)
/// of the batch holding its record returned, or with false when that batch was lost; a writer that is gone completes
/// what is left with false.
/// </remarks>
public sealed partial class DecisionLog : IHostedService, IAsyncDisposable
{
    private const long CheckpointIntervalMs = 100;

    /// <summary>How long the writer waits after waking so records arriving meanwhile join the batch (not while a request waits).</summary>
    private const int BatchLingerMs = 2;

    private const int MaxBatch = 4096;

    // Writer states (_writerState): a record only wakes a sleeping writer; a waited record also ends a linger.
    private const int Working = 0, Asleep = 1, Lingering = 2;

    private readonly ConcurrentQueue<Queued> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _path;
    private readonly long _maxFileSize;
    private readonly AuditDurability _durability;
    private readonly ILogger<DecisionLog> _logger;
    private readonly TimeProvider _time;
    private Thread? _writer;
    private long _enqueued;
    private long _written;
    private int _writerState;
    private int _waiting;
    private int _writerGone;
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
    /// <param name="durability">What <see cref="RecordAndWaitAsync(AuditRecord)"/> waits for; default <see cref="AuditDurability.Written"/>.</param>
    public DecisionLog(string path, ILogger<DecisionLog> logger, long maxFileSize = long.MaxValue, TimeProvider? time = null,
        AuditDurability durability = AuditDurability.Written)
    {
        _path = path;
        _logger = logger;
        _maxFileSize = maxFileSize;
        _time = time ?? TimeProvider.System;
        _durability = durability;
    }

    /// <summary>
    /// Records waiting for the writer beyond which new ones are dropped rather than held in memory (about 30 MB).
    /// </summary>
    public const long MaxPending = 100_000;

    /// <summary>How often a failing log tries its file again while no records arrive.</summary>
    public static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(1);

    /// <summary>What <see cref="RecordAndWaitAsync(AuditRecord)"/> waits for.</summary>
    public AuditDurability Durability => _durability;

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
    public void Record(AuditRecord record) => Enqueue(record, null);

    /// <summary>
    /// Enqueues a record and completes once it is in the file as <see cref="Durability"/> asks: written (true),
    /// written and flushed to the disk (<see cref="AuditDurability.Synced"/>), or at once with
    /// <see cref="AuditDurability.Async"/>. False when the record could not be written (the file failed, the backlog is
    /// full, the log is stopping): the caller must not treat the decision as recorded. Never blocks the calling
    /// thread; the continuation runs on the thread pool.
    /// </summary>
    public ValueTask<bool> RecordAndWaitAsync(AuditRecord record) => RecordAndWaitAsync(record, resumeOnWriter: false);

    /// <summary>As <see cref="RecordAndWaitAsync(AuditRecord)"/>.</summary>
    /// <param name="record">The record.</param>
    /// <param name="resumeOnWriter">
    /// Let the writer thread run the caller's continuation itself, up to its next real wait: one hand-off to the thread
    /// pool fewer per request (two thread wake-ups). Only for a continuation that reaches an asynchronous wait within
    /// microseconds, as the gateway's forwarding does from its first byte; one that loops on completed awaits or blocks
    /// would hold up the log (so the public overload never does this).
    /// </param>
    internal ValueTask<bool> RecordAndWaitAsync(AuditRecord record, bool resumeOnWriter)
    {
        if (_durability == AuditDurability.Async)
        {
            return new ValueTask<bool>(Enqueue(record, null));
        }

        var waiter = new RecordWaiter(resumeOnWriter);
        Interlocked.Increment(ref _waiting); // before the record is visible: a writer about to linger sees a request waiting
        if (!Enqueue(record, waiter))
        {
            Interlocked.Decrement(ref _waiting);
            return new ValueTask<bool>(false);
        }

        // The enqueue was a full fence, and the writer sets this before it drains the queue a last time: either it
        // found the record, or this sees that it is gone and nothing would ever complete the waiter.
        if (Volatile.Read(ref _writerGone) != 0)
        {
            FailAbandoned();
        }

        return waiter.Task;
    }

    private bool Enqueue(AuditRecord record, RecordWaiter? waiter)
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

            return false;
        }

        _queue.Enqueue(new Queued(record, waiter));
        // Only a sleeping writer needs a wake-up; while it works it picks the record up by itself, and while it lingers
        // (so that more records join its batch) it is woken only for a record a request waits for. If the state changed
        // meanwhile, the writer passed through Working, and it always looks at the queue before it sleeps again.
        var state = Volatile.Read(ref _writerState);
        if ((state == Asleep || (state == Lingering && waiter is not null)) && Interlocked.CompareExchange(ref _writerState, Working, state) == state)
        {
            _wake.Set();
        }

        return true;
    }

    /// <summary>
    /// The writer is gone (stopped, or died): nothing will write what is still queued, so the waiting requests are
    /// answered false instead of waiting forever. Runs on the writer's way out and on any request that finds it gone.
    /// </summary>
    private void FailAbandoned()
    {
        while (_queue.TryDequeue(out var pending))
        {
            Interlocked.Increment(ref _written);
            Interlocked.Increment(ref _dropped);
            LogDropped(_logger, pending.Record.Kind, pending.Record.RequestId);
            if (pending.Waiter is { } waiter)
            {
                waiter.Complete(false, inline: false); // not another request's work on this thread
                Interlocked.Decrement(ref _waiting);
            }
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

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>A queued record and, when a request waits for it, what the writer completes.</summary>
    private readonly record struct Queued(AuditRecord Record, RecordWaiter? Waiter);
}
