using Vigil.Policy.Compilation;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>
/// Reuse of frames within an evaluator (which is itself reused per thread, see <see cref="Rent"/>): rule and function
/// frames and argument arrays go back to a small pool once their evaluation has returned, so ground decisions allocate nothing.
/// </summary>
internal sealed partial class Evaluator
{
    /// <summary>Frames and argument arrays shorter than this are kept for reuse.</summary>
    private const int PooledFrameLength = 16;

    /// <summary>How many spare frames of each length are kept (a call keeps its argument array and its frame out at once).</summary>
    private const int PooledFramesPerLength = 4;

    /// <summary>False when the evaluation must use the general evaluator only (<see cref="EvaluationOptions.GeneralEvaluatorOnly"/>).</summary>
    private bool _fast;

    private Value?[]?[]? _framePool;

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
