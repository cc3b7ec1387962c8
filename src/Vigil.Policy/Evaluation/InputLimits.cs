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

        var stack = t_stack ??= new Stack<(Value, int)>();
        stack.Clear();
        stack.Push((input, 1));
        try
        {
            while (stack.Count > 0)
            {
                var (value, depth) = stack.Pop();
                if (depth > maxDepth)
                {
                    throw EvalErrors.Limit($"value is nested more than {maxDepth} levels deep");
                }

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
        }
    }
}
