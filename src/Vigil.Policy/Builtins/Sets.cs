using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>and (&amp;), or (|), intersection, union; set difference is in <see cref="Arithmetic"/> (minus).</summary>
internal static class Sets
{
    public static void Register(BuiltinTable table)
    {
        table.Add("and", [T.Set, T.Set], T.Set, static (_, a) => Intersect(Args.Set(a, 0), Args.Set(a, 1)));
        table.Add("or", [T.Set, T.Set], T.Set, static (_, a) => Union(Args.Set(a, 0), Args.Set(a, 1)));
        table.Add("intersection", [T.Set], T.Set, static (_, a) => IntersectionOf(a[0]));
        table.Add("union", [T.Set], T.Set, static (_, a) => UnionOf(a[0]));

        // Deprecated (v0): set difference as a function.
        table.Add("set_diff", [T.Set, T.Set], T.Set, static (_, a) => Difference(Args.Set(a, 0), Args.Set(a, 1)));
    }

    public static SetValue Difference(SetValue x, SetValue y)
    {
        if (y.Count == 0)
        {
            return x;
        }

        var result = new HashSet<Value>();
        foreach (var item in x.Items)
        {
            if (!y.Contains(item))
            {
                result.Add(item);
            }
        }

        return SetValue.Wrap(result);
    }

    public static SetValue Intersect(SetValue x, SetValue y)
    {
        if (x.Count > y.Count)
        {
            (x, y) = (y, x);
        }

        var result = new HashSet<Value>();
        foreach (var item in x.Items)
        {
            if (y.Contains(item))
            {
                result.Add(item);
            }
        }

        return SetValue.Wrap(result);
    }

    public static SetValue Union(SetValue x, SetValue y)
    {
        if (y.Count == 0)
        {
            return x;
        }

        if (x.Count == 0)
        {
            return y;
        }

        var result = new HashSet<Value>(x.Items);
        result.UnionWith(y.Items);
        return SetValue.Wrap(result);
    }

    private static SetValue SetOfSets(Value operand, out List<SetValue> sets)
    {
        if (operand is not SetValue outer)
        {
            throw new BuiltinTypeException(1, "set", operand);
        }

        sets = new List<SetValue>(outer.Count);
        foreach (var item in outer)
        {
            sets.Add(item as SetValue ?? throw Args.ElementError(1, outer, item, "set"));
        }

        return outer;
    }

    private static SetValue IntersectionOf(Value operand)
    {
        SetOfSets(operand, out var sets);
        if (sets.Count == 0)
        {
            return SetValue.Empty;
        }

        var result = sets[0];
        for (var i = 1; i < sets.Count && result.Count > 0; i++)
        {
            result = Intersect(result, sets[i]);
        }

        return result;
    }

    private static SetValue UnionOf(Value operand)
    {
        SetOfSets(operand, out var sets);
        var result = new HashSet<Value>();
        foreach (var set in sets)
        {
            result.UnionWith(set.Items);
        }

        return SetValue.Wrap(result);
    }
}
