using System.Numerics;

namespace Vigil.Policy.Values;

/// <content>Exact integer and OPA-compatible (64-bit mantissa big float) arithmetic support.</content>
public sealed partial class NumberValue
{
    /// <summary>The number as a 64-bit-mantissa big float, read from its text as OPA does.</summary>
    internal BigFloat ToBigFloat()
    {
        // Cached: policy constants are parsed once. A box keeps the read atomic across threads.
        if (_bigFloat is { } cached)
        {
            return cached.Value;
        }

        var value = ComputeBigFloat();
        _bigFloat = new System.Runtime.CompilerServices.StrongBox<BigFloat>(value);
        return value;
    }

    private System.Runtime.CompilerServices.StrongBox<BigFloat>? _bigFloat;

    private BigFloat ComputeBigFloat()
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
