using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>array.concat, array.slice, array.reverse, array.flatten.</summary>
internal static class Arrays
{
    public static void Register(BuiltinTable table)
    {
        table.Add("array.concat", [T.Array, T.Array], T.Array, static (_, a) => Concat(Args.Array(a, 0), Args.Array(a, 1)));
        table.Add("array.slice", [T.Array, T.Number, T.Number], T.Array, static (_, a) => Slice(Args.Array(a, 0), Args.Int(a, 1), Args.Int(a, 2)));
        table.Add("array.reverse", [T.Array], T.Array, static (_, a) => Reverse(Args.Array(a, 0)));
        table.Add("array.flatten", [T.Array], T.Array, static (_, a) => Flatten(Args.Array(a, 0)));
    }

    private static ArrayValue Concat(ArrayValue x, ArrayValue y)
    {
        if (y.Count == 0)
        {
            return x;
        }

        if (x.Count == 0)
        {
            return y;
        }

        var items = new Value[x.Count + y.Count];
        x.AsSpan().CopyTo(items);
        y.AsSpan().CopyTo(items.AsSpan(x.Count));
        return ArrayValue.Wrap(items);
    }

    private static ArrayValue Slice(ArrayValue array, long start, long stop)
    {
        if (start < 0)
        {
            start = 0;
        }

        if (stop > array.Count)
        {
            stop = array.Count;
        }

        if (start >= stop)
        {
            return ArrayValue.Empty;
        }

        return ArrayValue.Wrap(array.AsSpan()[(int)start..(int)stop].ToArray());
    }

    private static ArrayValue Reverse(ArrayValue array)
    {
        var items = array.AsSpan().ToArray();
        System.Array.Reverse(items);
        return ArrayValue.Wrap(items);
    }

    private static ArrayValue Flatten(ArrayValue array)
    {
        var items = new List<Value>(array.Count);
        foreach (var item in array.AsSpan())
        {
            if (item is ArrayValue inner)
            {
                items.AddRange(inner);
            }
            else
            {
                items.Add(item);
            }
        }

        return ArrayValue.Create(items);
    }
}
