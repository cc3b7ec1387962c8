using System.Threading.Tasks.Sources;

namespace Vigil.Server.Audit;

/// <summary>
/// What a request awaits after <see cref="DecisionLog.RecordAndWaitAsync(AuditRecord)"/>: the writer completes it once the batch
/// holding the record is written (true) or lost (false). Used once, never pooled, so a stale token cannot complete a
/// later request.
/// </summary>
/// <param name="resumeOnWriter">Whether the writer may run the awaiting request's continuation itself (see <see cref="DecisionLog.RecordAndWaitAsync(AuditRecord, bool)"/>).</param>
internal sealed class RecordWaiter(bool resumeOnWriter) : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    public bool ResumeOnWriter { get; } = resumeOnWriter;

    public ValueTask<bool> Task => new(this, _core.Version);

    /// <summary>
    /// Called exactly once: by the writer after the record's batch, or by whoever finds the writer gone. With
    /// <paramref name="inline"/> the awaiting request continues on the calling thread before this returns (until its
    /// next real wait); otherwise on the thread pool.
    /// </summary>
    public void Complete(bool written, bool inline)
    {
        _core.RunContinuationsAsynchronously = !inline; // read only by SetResult, on this thread
        _core.SetResult(written);
    }

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
