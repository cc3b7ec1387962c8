using System.Numerics;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>count, sum, product, max, min, sort, all, any, and the membership builtins behind <c>in</c>.</summary>
internal static class Aggregates
{
    public static void Register(BuiltinTable table)
    {
        table.Add("count", [T.Collection | T.String], T.Number, static (_, a) => Count(a[0]));
        table.Add("sum", [T.Array | T.Set], T.Number, static (_, a) => Sum(a[0]));
        table.Add("product", [T.Array | T.Set], T.Number, static (_, a) => Product(a[0]));
        table.Add("max", [T.Array | T.Set], T.Any, static (_, a) => Max(a[0]));
        table.Add("min", [T.Array | T.Set], T.Any, static (_, a) => Min(a[0]));
        table.Add("sort", [T.Array | T.Set], T.Array, static (_, a) => Sort(a[0]));
        table.Add("all", [T.Array | T.Set], T.Boolean, static (_, a) => All(a[0]));
        table.Add("any", [T.Array | T.Set], T.Boolean, static (_, a) => Any(a[0]));
        table.Add("internal.member_2", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(Member(a[0], a[1])));
        table.Add("internal.member_3", [T.Any, T.Any, T.Any], T.Boolean, static (_, a) => Value.From(MemberWithKey(a[0], a[1], a[2])));
    }

    private static NumberValue Count(Value value) => value switch
    {
        ArrayValue a => NumberValue.Create(a.Count),
        ObjectValue o => NumberValue.Create(o.Count),
        SetValue s => NumberValue.Create(s.Count),
        StringValue s => NumberValue.Create(Strings.RuneCount(s.Value)),
        _ => throw new BuiltinTypeException(1, "one of {array, object, set, string}", value),
    };

    private static IReadOnlyCollection<Value> ArrayOrSet(Value value) => value switch
    {
        ArrayValue a => a,
        SetValue s => s,
        _ => throw new BuiltinTypeException(1, "one of {set, array}", value),
    };

    private static IReadOnlyCollection<Value> Numbers(Value value)
    {
        var items = ArrayOrSet(value);
        foreach (var item in items)
        {
            if (item is not NumberValue)
            {
                throw Args.ElementError(1, value, item, "number");
            }
        }

        return items;
    }

    private static NumberValue Sum(Value value)
    {
        var items = Numbers(value);
        if (TryAccumulateIntegers(items, BigInteger.Zero, static (x, y) => x + y, out var exact))
        {
            return exact;
        }

        var sum = BigFloat.Zero;
        foreach (var item in items)
        {
            sum = BigFloat.Add(sum, ((NumberValue)item).ToBigFloat());
        }

        return NumberValue.FromBigFloat(sum);
    }

    private static NumberValue Product(Value value)
    {
        var items = Numbers(value);
        if (TryAccumulateIntegers(items, BigInteger.One, static (x, y) => x * y, out var exact))
        {
            return exact;
        }

        var product = BigFloat.FromInteger(BigInteger.One);
        foreach (var item in items)
        {
            product = BigFloat.Multiply(product, ((NumberValue)item).ToBigFloat());
        }

        return NumberValue.FromBigFloat(product);
    }

    private static bool TryAccumulateIntegers(IReadOnlyCollection<Value> items, BigInteger seed, Func<BigInteger, BigInteger, BigInteger> op, out NumberValue result)
    {
        var acc = seed;
        foreach (var item in items)
        {
            if (!((NumberValue)item).TryGetExactInteger(out var i))
            {
                result = NumberValue.Zero;
                return false;
            }

            acc = op(acc, i);
        }

        result = NumberValue.Create(acc);
        return true;
    }

    private static Value? Max(Value value) => Extreme(value, static order => order <= 0);

    private static Value? Min(Value value) => Extreme(value, static order => order >= 0);

    /// <summary>The member that <paramref name="replaces"/> keeps (given best.CompareTo(item)); null for an empty collection.</summary>
    private static Value? Extreme(Value value, Func<int, bool> replaces)
    {
        Value? best = null;
        foreach (var item in ArrayOrSet(value))
        {
            if (best is null || replaces(best.CompareTo(item)))
            {
                best = item;
            }
        }

        return best;
    }

    private static ArrayValue Sort(Value value)
    {
        switch (value)
        {
            case ArrayValue a:
                var copy = a.AsSpan().ToArray();
                Array.Sort(copy);
                return ArrayValue.Wrap(copy);
            case SetValue s:
                return ArrayValue.Wrap(s.Sorted.ToArray());
            default:
                throw new BuiltinTypeException(1, "one of {set, array}", value);
        }
    }

    private static BooleanValue All(Value value)
    {
        IEnumerable<Value> items = value switch
        {
            ArrayValue a => a,
            SetValue s => s,
            _ => throw new BuiltinTypeException(1, "one of {array, set}", value),
        };
        foreach (var item in items)
        {
            if (!Value.True.Equals(item))
            {
                return Value.False;
            }
        }

        return Value.True;
    }

    private static BooleanValue Any(Value value) => value switch
    {
        SetValue s => Value.From(s.Contains(Value.True)),
        ArrayValue a => Value.From(a.Any(static x => Value.True.Equals(x))),
        _ => throw new BuiltinTypeException(1, "one of {array, set}", value),
    };

    public static bool Member(Value item, Value collection)
    {
        switch (collection)
        {
            case SetValue s:
                return s.Contains(item);
            case ArrayValue a:
                foreach (var x in a.AsSpan())
                {
                    if (x.Equals(item))
                    {
                        return true;
                    }
                }

                return false;
            case ObjectValue o:
                foreach (var v in o.Items.Values)
                {
                    if (v.Equals(item))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    public static bool MemberWithKey(Value key, Value value, Value collection)
    {
        switch (collection)
        {
            case SetValue s:
                return s.Contains(key) && key.Equals(value);
            case ObjectValue o:
                return o.TryGetValue(key, out var v) && v.Equals(value);
            case ArrayValue a:
                return key is NumberValue n && n.TryGetInt64(out var i) && i >= 0 && i < a.Count && a[(int)i].Equals(value);
            default:
                return false;
        }
    }
}
