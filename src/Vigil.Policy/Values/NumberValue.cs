using System.Globalization;
using System.Numerics;
using System.Text;

namespace Vigil.Policy.Values;

/// <summary>
/// A number. Integers are exact at any size (64-bit fast path, <see cref="BigInteger"/> beyond);
/// other numbers are binary floating point, keeping the literal text they were written with so
/// that JSON round-trips unchanged. Equality and ordering are numeric: <c>1 == 1.0</c>.
/// </summary>
public sealed partial class NumberValue : Value
{
    private static readonly NumberValue[] SmallInts = CreateSmallInts();

    private readonly long _int;
    private readonly BigInteger _big;
    private readonly double _float;
    private readonly string? _text;

    private NumberValue(NumberRepresentation representation, long integer, BigInteger big, double floating, string? text)
    {
        Representation = representation;
        _int = integer;
        _big = big;
        _float = floating;
        _text = text;
    }

    public override ValueKind Kind => ValueKind.Number;

    /// <summary>How the number is stored.</summary>
    public NumberRepresentation Representation { get; }

    /// <summary>True when the value is a whole number (including floats such as <c>2.0</c>).</summary>
    public bool IsInteger => Representation != NumberRepresentation.Float || Decimal.IsBoundedInteger;

    public static NumberValue Zero => SmallInts[128];

    public static NumberValue One => SmallInts[129];

    public static NumberValue Create(long value) =>
        value >= -128 && value < 128 ? SmallInts[value + 128] : new NumberValue(NumberRepresentation.Int64, value, default, 0, null);

    public static NumberValue Create(int value) => Create((long)value);

    public static NumberValue Create(BigInteger value) =>
        value >= long.MinValue && value <= long.MaxValue
            ? Create((long)value)
            : new NumberValue(NumberRepresentation.BigInteger, 0, value, 0, null);

    public static NumberValue Create(double value)
    {
        if (double.IsFinite(value) && Math.Floor(value) == value && Math.Abs(value) < 9.2e18)
        {
            return Create((long)value);
        }

        return new NumberValue(NumberRepresentation.Float, 0, default, value, null);
    }

    /// <summary>Parses a JSON/Rego number literal, keeping its text for non-integers.</summary>
    public static NumberValue? Parse(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var isInteger = !text.AsSpan().ContainsAny(".eE");
        if (isInteger)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return Create(l);
            }

            return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b) ? Create(b) : null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return null;
        }

        // Whole numbers written with an exponent (1e3, 1e30) become exact integers; 1e-400 stays a
        // (tiny, non-zero) decimal even though it underflows a double.
        if (!text.Contains('.', StringComparison.Ordinal))
        {
            var exact = DecimalForm.FromText(text);
            if (exact.IsBoundedInteger)
            {
                var integer = exact.ToBigInteger();
                // The literal text is kept (as OPA keeps json.Number text): builtins that require an integer
                // literal, such as providers.aws.sign_req's timestamp, reject "1e9".
                return integer >= long.MinValue && integer <= long.MaxValue
                    ? new NumberValue(NumberRepresentation.Int64, (long)integer, default, 0, text)
                    : new NumberValue(NumberRepresentation.BigInteger, 0, integer, 0, text); // keeps "1e30" for sprintf
            }
        }

        return new NumberValue(NumberRepresentation.Float, 0, default, d, text);
    }

    /// <summary>Returns the value as a 64-bit integer when it is a whole number in range.</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Representation)
        {
            case NumberRepresentation.Int64:
                value = _int;
                return true;
            case NumberRepresentation.Float when Decimal.IsBoundedInteger && Decimal.Exponent <= 19:
                var exact = Decimal.ToBigInteger();
                if (exact >= long.MinValue && exact <= long.MaxValue)
                {
                    value = (long)exact;
                    return true;
                }

                value = 0;
                return false;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Returns the value as a 32-bit integer when it is a whole number in range.</summary>
    public bool TryGetInt32(out int value)
    {
        if (TryGetInt64(out var l) && l is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)l;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Returns the value as an exact integer when it is a whole number.</summary>
    public bool TryGetBigInteger(out BigInteger value)
    {
        switch (Representation)
        {
            case NumberRepresentation.Int64:
                value = _int;
                return true;
            case NumberRepresentation.BigInteger:
                value = _big;
                return true;
            default:
                if (Decimal.IsBoundedInteger)
                {
                    value = Decimal.ToBigInteger();
                    return true;
                }

                value = default;
                return false;
        }
    }

    /// <summary>The value as a double (may lose precision for huge integers).</summary>
    public double ToDouble() => Representation switch
    {
        NumberRepresentation.Int64 => _int,
        NumberRepresentation.BigInteger => (double)_big,
        _ => _float,
    };

    /// <summary>The literal text the number was written with, if it was parsed from one (floats, and integers written with an exponent).</summary>
    public string? LiteralText => _text;

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not NumberValue n)
        {
            return false;
        }

        if (Representation == NumberRepresentation.Int64 && n.Representation == NumberRepresentation.Int64)
        {
            return _int == n._int;
        }

        return CompareNumbers(this, n) == 0;
    }

    public override int GetHashCode()
    {
        switch (Representation)
        {
            case NumberRepresentation.Int64:
                return _int.GetHashCode();
            case NumberRepresentation.BigInteger:
                return _big.GetHashCode();
            default:
                // Consistent with Equals: an integral float hashes like the integer it equals.
                if (TryGetBigInteger(out var integer))
                {
                    return integer >= long.MinValue && integer <= long.MaxValue ? ((long)integer).GetHashCode() : integer.GetHashCode();
                }

                return Decimal.GetHashCode();
        }
    }

    private protected override int CompareToSameKind(Value other) => CompareNumbers(this, (NumberValue)other);

    /// <summary>Numeric comparison across representations.</summary>
    public static int CompareNumbers(NumberValue a, NumberValue b)
    {
        if (a.Representation == NumberRepresentation.Int64 && b.Representation == NumberRepresentation.Int64)
        {
            return a._int.CompareTo(b._int);
        }

        if (a.Representation != NumberRepresentation.Float && b.Representation != NumberRepresentation.Float)
        {
            a.TryGetBigInteger(out var x);
            b.TryGetBigInteger(out var y);
            return x.CompareTo(y);
        }

        // Exact decimal comparison: numbers order like the values they denote, even beyond
        // float64's range or precision (1e400 > 1e399, 0.1234567890123456789 > ...788).
        return DecimalForm.Compare(a.Decimal, b.Decimal);
    }

    private DecimalForm? _decimal;

    /// <summary>The exact decimal value of the number, computed once.</summary>
    private DecimalForm Decimal => _decimal ??= DecimalForm.FromText(ToNumberText());

    internal override void AppendRego(StringBuilder builder) => builder.Append(ToNumberText());

    /// <summary>The canonical text of the number (JSON form).</summary>
    public string ToNumberText()
    {
        switch (Representation)
        {
            case NumberRepresentation.Int64:
                return _int.ToString(CultureInfo.InvariantCulture);
            case NumberRepresentation.BigInteger:
                return _big.ToString(CultureInfo.InvariantCulture);
            default:
                if (_text is not null)
                {
                    return _text;
                }

                return FormatDouble(_float);
        }
    }

    internal static string FormatDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        var abs = Math.Abs(value);
        if (abs != 0 && (abs >= 1e21 || abs < 1e-6))
        {
            // Same style as Go's strconv 'g' with shortest precision for large/small magnitudes.
            var text = value.ToString("E16", CultureInfo.InvariantCulture);
            var shortest = value.ToString("R", CultureInfo.InvariantCulture);
            return shortest.Contains('E', StringComparison.Ordinal) ? NormalizeExponent(shortest) : text;
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string NormalizeExponent(string text)
    {
        // "1E+21" -> "1e+21", "1E-07" -> "1e-07"
        var e = text.IndexOf('E', StringComparison.Ordinal);
        var mantissa = text[..e];
        var exponent = text[(e + 1)..];
        var sign = exponent[0] is '+' or '-' ? exponent[0].ToString() : "+";
        var digits = exponent.TrimStart('+', '-').TrimStart('0');
        if (digits.Length < 2)
        {
            digits = digits.PadLeft(2, '0');
        }

        return mantissa + "e" + sign + digits;
    }

    private static NumberValue[] CreateSmallInts()
    {
        var values = new NumberValue[256];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new NumberValue(NumberRepresentation.Int64, i - 128, default, 0, null);
        }

        return values;
    }
}

/// <summary>How a <see cref="NumberValue"/> is stored.</summary>
public enum NumberRepresentation
{
    Int64,
    BigInteger,
    Float,
}
