using System.Threading.Tasks.Sources;

namespace Vigil.Server.Audit;

/// <summary>
/// What a request awaits after <see cref="DecisionLog.RecordAndWaitAsync"/>: the writer completes it once the batch
/// holding the record is written (true) or lost (false). Used once, never pooled, so a stale token cannot complete a
/// later request. Continuations run on the thread pool, never on the writer thread (which must get back to writing).
/// </summary>
internal sealed class RecordWaiter : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    public ValueTask<bool> Task => new(this, _core.Version);

    /// <summary>Called exactly once: by the writer after the record's batch, or by whoever finds the writer gone.</summary>
    public void Complete(bool written) => _core.SetResult(written);

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
