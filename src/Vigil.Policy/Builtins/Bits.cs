using System.Numerics;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>bits.and, bits.or, bits.xor, bits.negate, bits.lsh, bits.rsh on integers of any size.</summary>
internal static class Bits
{
    /// <summary>Largest left shift accepted (bits), so a hostile shift cannot allocate gigabytes.</summary>
    private const long MaxShift = 1 << 20;

    public static void Register(BuiltinTable table)
    {
        table.Add("bits.and", [T.Number, T.Number], T.Number, static (_, a) => NumberValue.Create(Args.BigInt(a, 0) & Args.BigInt(a, 1)));
        table.Add("bits.or", [T.Number, T.Number], T.Number, static (_, a) => NumberValue.Create(Args.BigInt(a, 0) | Args.BigInt(a, 1)));
        table.Add("bits.xor", [T.Number, T.Number], T.Number, static (_, a) => NumberValue.Create(Args.BigInt(a, 0) ^ Args.BigInt(a, 1)));
        table.Add("bits.negate", [T.Number], T.Number, static (_, a) => NumberValue.Create(-Args.BigInt(a, 0) - 1));
        table.Add("bits.lsh", [T.Number, T.Number], T.Number, static (_, a) =>
        {
            var x = Args.BigInt(a, 0);
            var s = Shift(a);
            if (s > MaxShift)
            {
                throw new BuiltinErrorException($"shift too large (more than {MaxShift} bits)");
            }

            return NumberValue.Create(x << (int)s);
        });
        table.Add("bits.rsh", [T.Number, T.Number], T.Number, static (_, a) =>
        {
            var x = Args.BigInt(a, 0);
            var s = Shift(a);
            if (s > int.MaxValue || s >= x.GetBitLength() + 1)
            {
                return NumberValue.Create(x.Sign < 0 ? BigInteger.MinusOne : BigInteger.Zero);
            }

            return NumberValue.Create(x >> (int)s);
        });
    }

    private static BigInteger Shift(ReadOnlySpan<Value> args)
    {
        var s = Args.BigInt(args, 1);
        if (s.Sign < 0)
        {
            throw new BuiltinTypeException("operand 2 must be an unsigned integer number but got a negative integer");
        }

        return s;
    }
}
