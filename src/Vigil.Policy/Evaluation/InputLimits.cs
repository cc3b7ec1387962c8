using Vigil.Policy.Values;

namespace Vigil.Policy.Evaluation;

/// <summary>Rejects input nested deeper than the evaluation allows, before any recursive operation can touch it.</summary>
internal static class InputLimits
{
    [ThreadStatic]
    private static Stack<(Value Value, int Depth)>? t_stack;

    public static void Check(Value input, int maxDepth)
    {
        if (input is not (ArrayValue or ObjectValue or SetValue))
        {
            return;
        }

        // A value checked before (the same pre-built input on every request) is not walked again: its depth is known.
        var known = CheckedDepth(input);
        if (known > 0)
        {
            if (known > maxDepth)
            {
                throw EvalErrors.Limit($"value is nested more than {maxDepth} levels deep");
            }

            return;
        }

        var stack = t_stack ??= new Stack<(Value, int)>();
        stack.Clear();
        stack.Push((input, 1));
        var deepest = 1;
        var peak = 0;
        try
        {
            while (stack.Count > 0)
            {
                peak = Math.Max(peak, stack.Count);
                var (value, depth) = stack.Pop();
                if (depth > maxDepth)
                {
                    throw EvalErrors.Limit($"value is nested more than {maxDepth} levels deep");
                }

                deepest = Math.Max(deepest, depth);

                switch (value)
                {
                    case ArrayValue a:
                        foreach (var item in a.AsSpan())
                        {
                            if (item is ArrayValue or ObjectValue or SetValue)
                            {
                                stack.Push((item, depth + 1));
                            }
                        }

                        break;
                    case ObjectValue o:
                        foreach (var (key, item) in o.Items)
                        {
                            if (item is ArrayValue or ObjectValue or SetValue)
                            {
                                stack.Push((item, depth + 1));
                            }

                            if (key is ArrayValue or ObjectValue or SetValue)
                            {
                                stack.Push((key, depth + 1));
                            }
                        }

                        break;
                    case SetValue s:
                        foreach (var item in s.Items)
                        {
                            if (item is ArrayValue or ObjectValue or SetValue)
                            {
                                stack.Push((item, depth + 1));
                            }
                        }

                        break;
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

        // Every composite was visited at its depth below the root, so the deepest visit is the value's depth.
        switch (input)
        {
            case ArrayValue a:
                a.CheckedDepth = deepest;
                break;
            case ObjectValue o:
                o.CheckedDepth = deepest;
                break;
            case SetValue s:
                s.CheckedDepth = deepest;
                break;
        }
    }

    private static int CheckedDepth(Value value) => value switch
    {
        ArrayValue a => a.CheckedDepth,
        ObjectValue o => o.CheckedDepth,
        SetValue s => s.CheckedDepth,
        _ => 0,
    };
}
