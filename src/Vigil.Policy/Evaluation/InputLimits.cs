using System.Runtime.InteropServices;
using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>Rejects input nested deeper than the evaluation allows, before any recursive operation can touch it.</summary>
/// <remarks>
/// The walk is iterative (a hostile input cannot exhaust the stack) and remembers the depth of every composite it
/// measured: values are immutable, so a part reused across inputs (the gateway's cached user and resource objects, a
/// pre-built input) is not walked again, only its known depth is added.
/// </remarks>
internal static class InputLimits
{
    [ThreadStatic]
    private static List<Frame>? t_stack;

    /// <summary>One composite on the walk: its depth below the root, its parent's index, and the deepest level found under it so far.</summary>
    private struct Frame(Value value, int depth, int parent)
    {
        public readonly Value Value = value;
        public readonly int Depth = depth;
        public readonly int Parent = parent;
        public int Deepest = depth;
        public bool Expanded;
    }

    public static void Check(Value input, int maxDepth)
    {
        if (input is not (ArrayValue or ObjectValue or SetValue))
        {
            return;
        }

        var known = CheckedDepth(input);
        if (known > 0)
        {
            if (known > maxDepth)
            {
                throw TooDeep(maxDepth);
            }

            return;
        }

        // Post-order: a frame is expanded (its children pushed) the first time it is on top, and finished (its depth
        // recorded, its deepest level handed to its parent) the second time, when all its children are done.
        var stack = t_stack ??= [];
        stack.Clear();
        stack.Add(new Frame(input, 1, -1));
        var peak = 0;
        try
        {
            while (stack.Count > 0)
            {
                peak = Math.Max(peak, stack.Count);
                var index = stack.Count - 1;
                var top = stack[index];
                if (!top.Expanded)
                {
                    if (top.Depth > maxDepth)
                    {
                        throw TooDeep(maxDepth);
                    }

                    // Children go on top of this frame, which stays at its index until they are finished.
                    top.Expanded = true;
                    top.Deepest = Math.Max(top.Deepest, Expand(stack, index, top.Value, top.Depth, maxDepth));
                    stack[index] = top;
                    continue;
                }

                stack.RemoveAt(index);
                SetCheckedDepth(top.Value, top.Deepest - top.Depth + 1);
                if (top.Parent >= 0)
                {
                    // Siblings may still be waiting above the parent: the parent's index is what links them.
                    ref var parent = ref CollectionsMarshal.AsSpan(stack)[top.Parent];
                    parent.Deepest = Math.Max(parent.Deepest, top.Deepest);
                }
            }
        }
        finally
        {
            stack.Clear();
            if (peak > 4096)
            {
                // Do not keep a huge buffer alive on the thread after one large input.
                t_stack = null;
            }
        }
    }

    /// <summary>
    /// Pushes the children of unknown depth; returns the deepest level reached through children already measured
    /// (or the value's own depth when there are none).
    /// </summary>
    private static int Expand(List<Frame> stack, int index, Value value, int depth, int maxDepth)
    {
        var deepest = depth;
        switch (value)
        {
            case ArrayValue a:
                foreach (var item in a.AsSpan())
                {
                    deepest = Math.Max(deepest, Visit(stack, index, item, depth + 1, maxDepth));
                }

                break;
            case ObjectValue o:
                foreach (var (key, item) in o.Items)
                {
                    deepest = Math.Max(deepest, Visit(stack, index, item, depth + 1, maxDepth));
                    deepest = Math.Max(deepest, Visit(stack, index, key, depth + 1, maxDepth));
                }

                break;
            case SetValue s:
                foreach (var item in s.Items)
                {
                    deepest = Math.Max(deepest, Visit(stack, index, item, depth + 1, maxDepth));
                }

                break;
        }

        return deepest;
    }

    /// <summary>A child at <paramref name="depth"/>: scalars and measured composites answer at once, others are pushed.</summary>
    private static int Visit(List<Frame> stack, int parent, Value child, int depth, int maxDepth)
    {
        if (child is not (ArrayValue or ObjectValue or SetValue))
        {
            return 0;
        }

        var known = CheckedDepth(child);
        if (known == 0)
        {
            stack.Add(new Frame(child, depth, parent));
            return 0;
        }

        var reaches = depth + known - 1;
        if (reaches > maxDepth)
        {
            throw TooDeep(maxDepth);
        }

        return reaches;
    }

    private static PolicyEvaluationException TooDeep(int maxDepth) => EvalErrors.Limit($"value is nested more than {maxDepth} levels deep");

    private static int CheckedDepth(Value value) => value switch
    {
        ArrayValue a => a.CheckedDepth,
        ObjectValue o => o.CheckedDepth,
        SetValue s => s.CheckedDepth,
        _ => 0,
    };

    private static void SetCheckedDepth(Value value, int depth)
    {
        switch (value)
        {
            case ArrayValue a:
                a.CheckedDepth = depth;
                break;
            case ObjectValue o:
                o.CheckedDepth = depth;
                break;
            case SetValue s:
                s.CheckedDepth = depth;
                break;
        }
    }
}
