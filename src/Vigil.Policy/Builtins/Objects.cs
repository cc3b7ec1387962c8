using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>object.get, object.keys, object.remove, object.filter, object.union, object.union_n, object.subset.</summary>
internal static class Objects
{
    public static void Register(BuiltinTable table)
    {
        table.Add("object.union", [T.Object, T.Object], T.Object, static (_, a) => Union(Args.Object(a, 0), Args.Object(a, 1)));
        table.Add("object.union_n", [T.Array], T.Object, static (_, a) => UnionN(a));
        table.Add("object.remove", [T.Object, T.Collection], T.Object, static (_, a) => Remove(Args.Object(a, 0), KeysParam(a[1])));
        table.Add("object.filter", [T.Object, T.Collection], T.Object, static (_, a) => Filter(Args.Object(a, 0), KeysParam(a[1])));
        table.Add("object.get", [T.Object, T.Any, T.Any], T.Any, static (_, a) => Get(Args.Object(a, 0), a[1], a[2]));
        table.Add("object.keys", [T.Object], T.Set, static (_, a) => SetValue.Create(Args.Object(a, 0).Items.Keys));
        table.Add("object.subset", [T.Collection, T.Collection], T.Boolean, static (_, a) => Value.From(Subset(a[0], a[1])));
    }

    public static ObjectValue Union(ObjectValue a, ObjectValue b)
    {
        if (b.Count == 0)
        {
            return a;
        }

        if (a.Count == 0)
        {
            return b;
        }

        var result = new Dictionary<Value, Value>(a.Items);
        foreach (var (key, value) in b.Items)
        {
            result[key] = result.TryGetValue(key, out var existing) && existing is ObjectValue eo && value is ObjectValue vo
                ? Union(eo, vo)
                : value;
        }

        return ObjectValue.Wrap(result);
    }

    private static ObjectValue UnionN(ReadOnlySpan<Value> args)
    {
        var array = Args.Array(args, 0);
        var result = ObjectValue.Empty;
        foreach (var item in array.AsSpan())
        {
            if (item is not ObjectValue o)
            {
                throw Args.ElementError(1, array, item, "object");
            }

            result = Union(result, o);
        }

        return result;
    }

    private static HashSet<Value> KeysParam(Value value) => value switch
    {
        ArrayValue a => [.. a],
        SetValue s => [.. s.Items],
        ObjectValue o => [.. o.Items.Keys],
        _ => throw new BuiltinTypeException(2, "one of {object, set, array}", value),
    };

    private static ObjectValue Remove(ObjectValue obj, HashSet<Value> keys)
    {
        var result = new Dictionary<Value, Value>(obj.Count);
        foreach (var (key, value) in obj.Items)
        {
            if (!keys.Contains(key))
            {
                result[key] = value;
            }
        }

        return ObjectValue.Wrap(result);
    }

    private static ObjectValue Filter(ObjectValue obj, HashSet<Value> keys)
    {
        var result = new Dictionary<Value, Value>();
        foreach (var key in keys)
        {
            if (obj.TryGetValue(key, out var value))
            {
                result[key] = value;
            }
        }

        return ObjectValue.Wrap(result);
    }

    private static Value Get(ObjectValue obj, Value key, Value fallback)
    {
        if (key is not ArrayValue path)
        {
            return obj.TryGetValue(key, out var value) ? value : fallback;
        }

        Value current = obj;
        foreach (var segment in path.AsSpan())
        {
            var next = Child(current, segment);
            if (next is null)
            {
                return fallback;
            }

            current = next;
        }

        return current;
    }

    /// <summary>One step of a path lookup: object key, array index or set member.</summary>
    public static Value? Child(Value current, Value segment) => current switch
    {
        ObjectValue o => o.TryGetValue(segment, out var v) ? v : null,
        ArrayValue a => segment is NumberValue n && n.TryGetInt64(out var i) && i >= 0 && i < a.Count ? a[(int)i] : null,
        SetValue s => s.Contains(segment) ? segment : null,
        _ => null,
    };

    private static bool Subset(Value super, Value sub) => (super, sub) switch
    {
        (ObjectValue a, ObjectValue b) => ObjectSubset(a, b),
        (SetValue a, SetValue b) => SetSubset(a, b),
        (ArrayValue a, ArrayValue b) => ArraySubset(a, b),
        (ArrayValue a, SetValue b) => ArraySetSubset(a, b),
        _ => throw new BuiltinTypeException("both arguments object.subset must be of the same type or array and set"),
    };

    private static bool ObjectSubset(ObjectValue super, ObjectValue sub)
    {
        foreach (var (key, subValue) in sub.Items)
        {
            if (!super.TryGetValue(key, out var superValue))
            {
                return false;
            }

            if (subValue.Equals(superValue))
            {
                continue;
            }

            var ok = (superValue, subValue) switch
            {
                (ObjectValue a, ObjectValue b) => ObjectSubset(a, b),
                (SetValue a, SetValue b) => SetSubset(a, b),
                (ArrayValue a, ArrayValue b) => ArraySubset(a, b),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SetSubset(SetValue super, SetValue sub)
    {
        foreach (var item in sub.Items)
        {
            if (!super.Contains(item))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ArraySubset(ArrayValue super, ArrayValue sub)
    {
        if (sub.Count > super.Count)
        {
            return false;
        }

        var a = super.AsSpan();
        var b = sub.AsSpan();
        for (var start = 0; start + b.Length <= a.Length; start++)
        {
            var match = true;
            for (var j = 0; j < b.Length; j++)
            {
                if (!a[start + j].Equals(b[j]))
                {
                    match = false;
                    break;
                }
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ArraySetSubset(ArrayValue super, SetValue sub)
    {
        // As OPA: counts matching array elements (duplicates included) until the set's size is reached.
        var unmatched = sub.Count;
        foreach (var item in super.AsSpan())
        {
            if (sub.Contains(item))
            {
                unmatched--;
            }

            if (unmatched == 0)
            {
                return true;
            }
        }

        return false;
    }
}
