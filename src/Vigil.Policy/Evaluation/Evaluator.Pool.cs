using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>
/// Reuse of evaluator state between evaluations on the same thread, so that a decision allocates (almost) nothing:
/// the evaluator itself, its rule cache, builtin context, scratch stack and frames are kept for the next evaluation.
/// Every evaluation starts from the same state as a new evaluator; nothing is shared between threads ([ThreadStatic]),
/// and a nested evaluation on the same thread (a builtin evaluating a query) gets its own instance.
/// </summary>
internal sealed partial class Evaluator
{
    /// <summary>Frames and argument arrays shorter than this are kept for reuse.</summary>
    private const int PooledFrameLength = 16;

    /// <summary>How many spare frames of each length are kept (a call keeps its argument array and its frame out at once).</summary>
    private const int PooledFramesPerLength = 4;

    [ThreadStatic]
    private static Evaluator? t_spare;

    /// <summary>False when the evaluation must use the general evaluator only (<see cref="EvaluationOptions.GeneralEvaluatorOnly"/>).</summary>
    private bool _fast;

    private Value?[]?[]? _framePool;

    /// <summary>An evaluator for one evaluation: this thread's spare one (reinitialized) or a new one.</summary>
    public static Evaluator Rent(PolicyProgram program, Value? input, EvaluationOptions options)
    {
        var evaluator = t_spare;
        if (evaluator is null)
        {
            return new Evaluator(program, input, options);
        }

        t_spare = null;
        evaluator.Initialize(program, input, options);
        evaluator._builtinContextValue?.Reset(options.TimeProvider, options.CancellationToken, options.StrictBuiltinErrors);
        return evaluator;
    }

    /// <summary>
    /// Hands a finished evaluator back for reuse on this thread. Only after an evaluation that completed normally:
    /// after an exception the instance is simply dropped, so no half-unwound state is ever reused.
    /// </summary>
    public void Return()
    {
        // Retain nothing of the evaluation (input, policy, options with their callbacks).
        _input = null;
        _program = null!;
        _options = EvaluationOptions.Default;
        _token = default;
        _dataOverrides = null;
        _functionOverrides = null;
        Array.Clear(_cache);
        _builtinContextValue?.Reset(TimeProvider.System, default, false);
        if (_scratchTop != 0)
        {
            return;
        }

        t_spare = this;
    }

    /// <summary>The per-evaluation rule cache: the previous one (cleared on return) when the size matches.</summary>
    private object?[] RentCache(int length)
    {
        var cache = _cache;
        if (cache is not null && cache.Length == length)
        {
            return cache;
        }

        return length == 0 ? [] : new object?[length];
    }

    /// <summary>A cleared frame of <paramref name="length"/> slots (also used for argument arrays).</summary>
    private Value?[] RentFrame(int length)
    {
        var pool = _framePool;
        if (pool is not null && length < PooledFrameLength)
        {
            var first = length * PooledFramesPerLength;
            for (var i = first; i < first + PooledFramesPerLength; i++)
            {
                if (pool[i] is { } frame)
                {
                    pool[i] = null;
                    return frame;
                }
            }
        }

        return new Value?[length];
    }

    /// <summary>Gives back a frame that nothing references any more (its evaluation has returned).</summary>
    private void ReturnFrame(Value?[] frame)
    {
        var length = frame.Length;
        if (length >= PooledFrameLength || ReferenceEquals(frame, NoFrame))
        {
            return;
        }

        Array.Clear(frame);
        var pool = _framePool ??= new Value?[]?[PooledFrameLength * PooledFramesPerLength];
        var first = length * PooledFramesPerLength;
        for (var i = first; i < first + PooledFramesPerLength; i++)
        {
            if (pool[i] is null)
            {
                pool[i] = frame;
                return;
            }
        }
    }
}
