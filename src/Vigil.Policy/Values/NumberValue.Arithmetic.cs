using System.Numerics;

namespace Vigil.Policy.Values;

/// <content>Exact integer and OPA-compatible (64-bit mantissa big float) arithmetic support.</content>
public sealed partial class NumberValue
{
    /// <summary>The number as a 64-bit-mantissa big float, read from its text as OPA does.</summary>
    internal BigFloat ToBigFloat()
    {
        switch (Representation)
        {
            case NumberRepresentation.Int64:
                return BigFloat.FromInteger(_int);
            case NumberRepresentation.BigInteger:
                return BigFloat.FromInteger(_big);
            default:
                if (BigFloat.TryParse(ToNumberText(), out var parsed))
                {
                    return parsed;
                }

                return BigFloat.TryParse(FormatDouble(_float), out parsed) ? parsed : BigFloat.Zero;
        }
    }

    /// <summary>A number from a big float result, with OPA's text (integers exact, others shortest).</summary>
    internal static NumberValue FromBigFloat(BigFloat value)
    {
        if (value.IsInteger)
        {
            return Create(value.Truncate());
        }

        return Parse(value.ToString()) ?? Create(0);
    }

    /// <summary>True when the number is an integer whose exact value is available.</summary>
    internal bool TryGetExactInteger(out BigInteger value)
    {
        if (Representation != NumberRepresentation.Float)
        {
            return TryGetBigInteger(out value);
        }

        // A float literal such as 2.0 or 1e2: exact when its big-float reading is an integer.
        var f = ToBigFloat();
        if (f.IsInteger)
        {
            value = f.Truncate();
            return true;
        }

        value = default;
        return false;
    }
}
