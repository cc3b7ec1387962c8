using System.Numerics;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>numbers.range, numbers.range_step, rand.intn.</summary>
internal static class Numbers
{
    /// <summary>Largest range a single call may build (a hostile range must fail, not exhaust memory); matches the default MaxOutputSize.</summary>
    internal const int MaxRangeLength = 1_000_000;

    public static void Register(BuiltinTable table)
    {
        table.Add("numbers.range", [T.Number, T.Number], T.Array, static (c, a) => Range(c, CoreArgs.BigInt(a, 0), CoreArgs.BigInt(a, 1), BigInteger.One));
        table.Add("numbers.range_step", [T.Number, T.Number, T.Number], T.Array, static (c, a) =>
        {
            var from = CoreArgs.BigInt(a, 0);
            var to = CoreArgs.BigInt(a, 1);
            var step = CoreArgs.BigInt(a, 2);
            if (step.Sign <= 0)
            {
                throw new BuiltinErrorException("step must be a positive integer");
            }

            return Range(c, from, to, step);
        });
        table.Add("rand.intn", [T.String, T.Number], T.Number, RandIntn, nondeterministic: true);
    }

    private static ArrayValue Range(BuiltinContext context, BigInteger from, BigInteger to, BigInteger step)
    {
        var length = (BigInteger.Abs(to - from) / step) + 1;
        if (length > MaxRangeLength)
        {
            throw new BuiltinErrorException($"range too large (more than {MaxRangeLength} elements)");
        }

        var items = new Value[(int)length];
        var current = from;
        var delta = to >= from ? step : -step;
        for (var i = 0; i < items.Length; i++)
        {
            if ((i & 0xFFFF) == 0xFFFF)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            items[i] = NumberValue.Create(current);
            current += delta;
        }

        return ArrayValue.Wrap(items);
    }

    private static Value RandIntn(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var key = Args.String(args, 0);
        var n = CoreArgs.Int(args, 1);
        if (n == 0)
        {
            return NumberValue.Zero;
        }

        if (n < 0)
        {
            n = n == long.MinValue ? long.MaxValue : -n;
        }

        var cacheKey = "rand.intn\0" + key + "\0" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (context.Cache.TryGetValue(cacheKey, out var cached))
        {
            return (Value)cached;
        }

        Value result = NumberValue.Create(context.Random.NextInt64(n));
        context.Cache[cacheKey] = result;
        return result;
    }
}
