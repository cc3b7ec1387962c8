using System.Numerics;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// plus, minus, mul, div, rem, abs, round, ceil, floor. Integers are exact at any size; other
/// numbers use a 64-bit-mantissa big float like OPA, so results print the same digits.
/// </summary>
internal static class Arithmetic
{
    public static void Register(BuiltinTable table)
    {
        table.Add("plus", [T.Number, T.Number], T.Number, (_, a) => Plus(Args.Number(a, 0), Args.Number(a, 1)));
        table.Add("minus", [T.Number | T.Set, T.Number | T.Set], T.Number | T.Set, Minus);
        table.Add("mul", [T.Number, T.Number], T.Number, (_, a) => Multiply(Args.Number(a, 0), Args.Number(a, 1)));
        table.Add("div", [T.Number, T.Number], T.Number, (_, a) => Divide(Args.Number(a, 0), Args.Number(a, 1)));
        table.Add("rem", [T.Number, T.Number], T.Number, (_, a) => Remainder(Args.Number(a, 0), Args.Number(a, 1)));
        table.Add("abs", [T.Number], T.Number, (_, a) => Unary(Args.Number(a, 0), static f => f.Abs()));
        table.Add("round", [T.Number], T.Number, (_, a) => Unary(Args.Number(a, 0), RoundHalfAway));
        table.Add("ceil", [T.Number], T.Number, (_, a) => Unary(Args.Number(a, 0), Ceil));
        table.Add("floor", [T.Number], T.Number, (_, a) => Unary(Args.Number(a, 0), Floor));
    }

    public static NumberValue Plus(NumberValue x, NumberValue y)
    {
        if (x.Representation == NumberRepresentation.Int64 && y.Representation == NumberRepresentation.Int64
            && x.TryGetInt64(out var a) && y.TryGetInt64(out var b))
        {
            var r = a + b;
            if (((a ^ r) & (b ^ r)) >= 0)
            {
                return NumberValue.Create(r);
            }
        }

        if (x.TryGetExactInteger(out var bx) && y.TryGetExactInteger(out var by))
        {
            return NumberValue.Create(bx + by);
        }

        return NumberValue.FromBigFloat(BigFloat.Add(x.ToBigFloat(), y.ToBigFloat()));
    }

    public static NumberValue Subtract(NumberValue x, NumberValue y)
    {
        if (x.Representation == NumberRepresentation.Int64 && y.Representation == NumberRepresentation.Int64
            && x.TryGetInt64(out var a) && y.TryGetInt64(out var b))
        {
            var r = a - b;
            if (((a ^ b) & (a ^ r)) >= 0)
            {
                return NumberValue.Create(r);
            }
        }

        if (x.TryGetExactInteger(out var bx) && y.TryGetExactInteger(out var by))
        {
            return NumberValue.Create(bx - by);
        }

        return NumberValue.FromBigFloat(BigFloat.Subtract(x.ToBigFloat(), y.ToBigFloat()));
    }

    public static NumberValue Multiply(NumberValue x, NumberValue y)
    {
        if (x.Representation == NumberRepresentation.Int64 && y.Representation == NumberRepresentation.Int64
            && x.TryGetInt64(out var a) && y.TryGetInt64(out var b)
            && a is > int.MinValue and < int.MaxValue && b is > int.MinValue and < int.MaxValue)
        {
            return NumberValue.Create(a * b);
        }

        if (x.TryGetExactInteger(out var bx) && y.TryGetExactInteger(out var by))
        {
            return NumberValue.Create(bx * by);
        }

        return NumberValue.FromBigFloat(BigFloat.Multiply(x.ToBigFloat(), y.ToBigFloat()));
    }

    public static NumberValue Divide(NumberValue x, NumberValue y)
    {
        if (x.Representation == NumberRepresentation.Int64 && y.Representation == NumberRepresentation.Int64
            && x.TryGetInt64(out var a) && y.TryGetInt64(out var b))
        {
            if (b == 0)
            {
                throw new BuiltinErrorException("divide by zero");
            }

            if (a == 0)
            {
                return NumberValue.Zero;
            }

            if (b != -1 && a % b == 0)
            {
                return NumberValue.Create(a / b);
            }
        }

        var divisor = y.ToBigFloat();
        if (divisor.IsZero)
        {
            throw new BuiltinErrorException("divide by zero");
        }

        return NumberValue.FromBigFloat(BigFloat.Divide(x.ToBigFloat(), divisor));
    }

    public static NumberValue Remainder(NumberValue x, NumberValue y)
    {
        if (x.TryGetInt64(out var a) && y.TryGetInt64(out var b) && x.Representation == NumberRepresentation.Int64 && y.Representation == NumberRepresentation.Int64)
        {
            if (b == 0)
            {
                throw new BuiltinErrorException("modulo by zero");
            }

            return b == -1 ? NumberValue.Zero : NumberValue.Create(a % b);
        }

        if (x.TryGetExactInteger(out var bx) && y.TryGetExactInteger(out var by))
        {
            if (by.IsZero)
            {
                throw new BuiltinErrorException("modulo by zero");
            }

            return NumberValue.Create(BigInteger.Remainder(bx, by));
        }

        throw new BuiltinErrorException("modulo on floating-point number");
    }

    private static Value? Minus(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var x = args[0];
        var y = args[1];
        if (x is NumberValue nx && y is NumberValue ny)
        {
            return Subtract(nx, ny);
        }

        if (x is SetValue sx && y is SetValue sy)
        {
            return Sets.Difference(sx, sy);
        }

        if (x is not NumberValue && x is not SetValue)
        {
            throw new BuiltinTypeException(1, "one of {number, set}", x);
        }

        throw new BuiltinTypeException(2, y is NumberValue ? "set" : "number", y);
    }

    private static NumberValue Unary(NumberValue x, Func<BigFloat, BigFloat> op)
    {
        // Integers that fit 64 bits are exact in the 64-bit mantissa; every op is the identity
        // on them except abs.
        if (x.TryGetExactInteger(out var i) && i.GetBitLength() <= 64)
        {
            return NumberValue.FromBigFloat(op(BigFloat.FromInteger(i)));
        }

        return NumberValue.FromBigFloat(op(x.ToBigFloat()));
    }

    private static readonly BigFloat Half = BigFloat.TryParse("0.5", out var h) ? h : default;
    private static readonly BigFloat OneF = BigFloat.FromInteger(BigInteger.One);

    private static BigFloat RoundHalfAway(BigFloat a) =>
        BigFloat.FromInteger((a.Sign < 0 ? BigFloat.Subtract(a, Half) : BigFloat.Add(a, Half)).Truncate());

    // OPA's ceil/floor take the truncated integer and adjust by one based on the integer's sign,
    // which is what it does for values in (-1, 1) too (e.g. ceil(-0.5) is 1 and floor(-0.5) is 0 there); kept as is for compatibility.
    private static BigFloat Ceil(BigFloat a)
    {
        var f = BigFloat.FromInteger(a.Truncate());
        return f.Sign < 0 || a.CompareTo(f) == 0 ? f : BigFloat.Add(f, OneF);
    }

    private static BigFloat Floor(BigFloat a)
    {
        var f = BigFloat.FromInteger(a.Truncate());
        return f.Sign >= 0 || a.CompareTo(f) == 0 ? f : BigFloat.Subtract(f, OneF);
    }
}
