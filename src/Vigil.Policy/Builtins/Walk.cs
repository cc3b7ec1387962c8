using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>walk (a relation: yields [path, value] for the value and every nested value, pre-order).</summary>
internal static class Walk
{
    public static void Register(BuiltinTable table) =>
        table.AddRelation("walk", [T.Any], T.Array, static (c, a) => Enumerate(c, a[0]));

    private static IEnumerable<Value> Enumerate(BuiltinContext context, Value root)
    {
        // Explicit stack: deep documents must not overflow the call stack.
        var stack = new Stack<(Value[] Path, Value Value)>();
        stack.Push(([], root));
        var steps = 0;
        while (stack.Count > 0)
        {
            if ((++steps & 0xFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            var (path, value) = stack.Pop();
            yield return ArrayValue.Create(ArrayValue.Wrap(path), value);
            switch (value)
            {
                case ArrayValue a:
                    for (var i = a.Count - 1; i >= 0; i--)
                    {
                        stack.Push(([.. path, NumberValue.Create(i)], a[i]));
                    }

                    break;
                case ObjectValue o:
                    var entries = o.Sorted;
                    for (var i = entries.Length - 1; i >= 0; i--)
                    {
                        stack.Push(([.. path, entries[i].Key], entries[i].Value));
                    }

                    break;
                case SetValue s:
                    var members = s.Sorted;
                    for (var i = members.Length - 1; i >= 0; i--)
                    {
                        stack.Push(([.. path, members[i]], members[i]));
                    }

                    break;
            }
        }
    }
}
