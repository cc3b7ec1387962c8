using System.Globalization;
using System.Numerics;
using System.Text;

namespace Vigil.Policy.Values;

/// <summary>
/// A binary floating-point number with a 64-bit mantissa, rounded to nearest-even after every
/// operation. OPA does non-integer arithmetic with Go's <c>big.Float</c> at its default precision
/// (64 bits) and prints results with the shortest decimal that reads back to the same value, so
/// doing the same here reproduces OPA's outputs digit for digit (e.g. <c>1/3</c>).
/// </summary>
internal readonly struct BigFloat
{
    private const int Precision = 64;

    // Decimal exponents beyond this are treated as overflow/underflow rather than expanded
    // (a hostile literal like 1e999999999 must not allocate a gigantic integer).
    private const int MaxDecimalExponent = 20_000;

    private static readonly BigInteger Ten = 10;

    private BigFloat(int sign, BigInteger mantissa, long exponent)
    {
        Sign = sign;
        Mantissa = mantissa;
        Exponent = exponent;
    }

    /// <summary>-1, 0 or 1.</summary>
    public int Sign { get; }

    /// <summary>Magnitude's mantissa: exactly <see cref="Precision"/> bits when non-zero.</summary>
    public BigInteger Mantissa { get; }

    /// <summary>Value = Sign * Mantissa * 2^Exponent.</summary>
    public long Exponent { get; }

    public static BigFloat Zero => default;

    public bool IsZero => Sign == 0;

    public bool IsInteger => Sign == 0 || Exponent >= 0 || (Exponent > -Precision && (Mantissa & ((BigInteger.One << (int)-Exponent) - 1)).IsZero);

    public static BigFloat FromInteger(BigInteger value) =>
        value.IsZero ? Zero : Round(value.Sign, BigInteger.Abs(value), BigInteger.One, 0);

    /// <summary>Parses a decimal literal exactly, then rounds it to 64 bits (as big.Float.SetString does).</summary>
    public static bool TryParse(string text, out BigFloat value)
    {
        value = Zero;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        var sign = 1;
        if (span[0] is '+' or '-')
        {
            sign = span[0] == '-' ? -1 : 1;
            span = span[1..];
        }

        var e = span.IndexOfAny('e', 'E');
        long exp10 = 0;
        var mantissaPart = span;
        if (e >= 0)
        {
            if (!long.TryParse(span[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exp10))
            {
                return false;
            }

            mantissaPart = span[..e];
        }

        var digits = new StringBuilder(mantissaPart.Length);
        var seenDot = false;
        foreach (var c in mantissaPart)
        {
            if (c == '.')
            {
                if (seenDot)
                {
                    return false;
                }

                seenDot = true;
            }
            else if (c is >= '0' and <= '9')
            {
                digits.Append(c);
                if (seenDot)
                {
                    exp10--;
                }
            }
            else
            {
                return false;
            }
        }

        if (digits.Length == 0)
        {
            return false;
        }

        var d = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        if (d.IsZero)
        {
            return true;
        }

        if (exp10 > MaxDecimalExponent || exp10 < -MaxDecimalExponent)
        {
            return false;
        }

        value = exp10 >= 0
            ? Round(sign, d * BigInteger.Pow(Ten, (int)exp10), BigInteger.One, 0)
            : Round(sign, d, BigInteger.Pow(Ten, (int)-exp10), 0);
        return true;
    }

    /// <summary>Rounds sign * num / den * 2^exp2 to a 64-bit mantissa (nearest, ties to even).</summary>
    private static BigFloat Round(int sign, BigInteger num, BigInteger den, long exp2)
    {
        if (num.IsZero)
        {
            return Zero;
        }

        var bits = (long)num.GetBitLength() - (long)den.GetBitLength();
        var shift = Precision + 3 - bits;
        if (shift > 0)
        {
            num <<= (int)shift;
        }
        else if (shift < 0)
        {
            den <<= (int)-shift;
        }

        exp2 -= shift;
        BigInteger q;
        var sticky = false;
        if (den.IsOne)
        {
            q = num;
        }
        else
        {
            q = BigInteger.DivRem(num, den, out var r);
            sticky = !r.IsZero;
        }

        var extra = (int)q.GetBitLength() - Precision;
        if (extra > 0)
        {
            var dropped = q & ((BigInteger.One << extra) - 1);
            q >>= extra;
            exp2 += extra;
            var half = BigInteger.One << (extra - 1);
            var c = dropped.CompareTo(half);
            if (c > 0 || (c == 0 && (sticky || !q.IsEven)))
            {
                q += 1;
                if (q.GetBitLength() > Precision)
                {
                    q >>= 1;
                    exp2 += 1;
                }
            }
        }
        else if (extra < 0)
        {
            q <<= -extra;
            exp2 += extra;
        }

        return new BigFloat(sign, q, exp2);
    }

    private void GetRational(out BigInteger num, out BigInteger den)
    {
        if (Exponent >= 0)
        {
            num = Mantissa << (int)Math.Min(Exponent, int.MaxValue);
            den = BigInteger.One;
        }
        else
        {
            num = Mantissa;
            den = BigInteger.One << (int)Math.Min(-Exponent, int.MaxValue);
        }
    }

    public BigFloat Negate() => new(-Sign, Mantissa, Exponent);

    public BigFloat Abs() => Sign < 0 ? Negate() : this;

    public static BigFloat Add(BigFloat a, BigFloat b)
    {
        if (a.IsZero)
        {
            return b;
        }

        if (b.IsZero)
        {
            return a;
        }

        // When the exponents are far apart the smaller operand cannot change the rounded sum.
        var aTop = a.Exponent + Precision;
        var bTop = b.Exponent + Precision;
        if (aTop - bTop > Precision + 4)
        {
            return a;
        }

        if (bTop - aTop > Precision + 4)
        {
            return b;
        }

        var emin = Math.Min(a.Exponent, b.Exponent);
        var x = (a.Mantissa << (int)(a.Exponent - emin)) * a.Sign;
        var y = (b.Mantissa << (int)(b.Exponent - emin)) * b.Sign;
        var sum = x + y;
        return sum.IsZero ? Zero : Round(sum.Sign, BigInteger.Abs(sum), BigInteger.One, emin);
    }

    public static BigFloat Subtract(BigFloat a, BigFloat b) => Add(a, b.Negate());

    public static BigFloat Multiply(BigFloat a, BigFloat b) =>
        a.IsZero || b.IsZero ? Zero : Round(a.Sign * b.Sign, a.Mantissa * b.Mantissa, BigInteger.One, a.Exponent + b.Exponent);

    public static BigFloat Divide(BigFloat a, BigFloat b) =>
        a.IsZero ? Zero : Round(a.Sign * b.Sign, a.Mantissa, b.Mantissa, a.Exponent - b.Exponent);

    public int CompareTo(BigFloat other)
    {
        if (Sign != other.Sign)
        {
            return Sign.CompareTo(other.Sign);
        }

        if (Sign == 0)
        {
            return 0;
        }

        var c = Exponent != other.Exponent ? Exponent.CompareTo(other.Exponent) : Mantissa.CompareTo(other.Mantissa);
        return Sign > 0 ? c : -c;
    }

    /// <summary>The integer part (truncated toward zero).</summary>
    public BigInteger Truncate()
    {
        if (IsZero)
        {
            return BigInteger.Zero;
        }

        if (Exponent >= 0)
        {
            return (Mantissa << (int)Exponent) * Sign;
        }

        return -Exponent >= Precision + 1 ? BigInteger.Zero : (Mantissa >> (int)-Exponent) * Sign;
    }

    /// <summary>Go's <c>big.Float.Text('f'|'g', -1)</c> as OPA uses it: integers in full, others shortest.</summary>
    public override string ToString()
    {
        if (IsZero)
        {
            return "0";
        }

        if (IsInteger)
        {
            return Truncate().ToString(CultureInfo.InvariantCulture);
        }

        ShortestDecimal(out var digits, out var dp);
        var builder = new StringBuilder(digits.Length + 8);
        if (Sign < 0)
        {
            builder.Append('-');
        }

        var exp = dp - 1;
        if (exp < -4 || exp >= 6)
        {
            builder.Append(digits[0]);
            if (digits.Length > 1)
            {
                builder.Append('.').Append(digits, 1, digits.Length - 1);
            }

            builder.Append('e').Append(exp < 0 ? '-' : '+');
            var abs = Math.Abs((long)exp);
            if (abs < 10)
            {
                builder.Append('0');
            }

            builder.Append(abs.ToString(CultureInfo.InvariantCulture));
            return builder.ToString();
        }

        if (dp <= 0)
        {
            builder.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            builder.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            builder.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }

        return builder.ToString();
    }

    /// <summary>The shortest decimal digits d (value = 0.d * 10^dp) that round back to this value.</summary>
    private void ShortestDecimal(out string digits, out int dp)
    {
        // Fast path: a value whose exact decimal expansion has at most 18 significant digits is
        // printed exactly (no shorter decimal can round to the same 64-bit value: 18-digit
        // decimals are further apart than the rounding interval).
        if (Exponent < 0 && Exponent >= -80 && Mantissa.GetBitLength() <= 64)
        {
            // Cheaper still with 128-bit integers when the scaled mantissa fits.
            var m = (ulong)Mantissa;
            var tz = System.Numerics.BitOperations.TrailingZeroCount(m);
            var fractionDigits = -(Exponent + tz);
            m >>= tz;
            if (fractionDigits is > 0 and <= 27 && 64 - System.Numerics.BitOperations.LeadingZeroCount(m) + (fractionDigits * 2.33) < 127)
            {
                var product = (UInt128)m * UInt128Pow5((int)fractionDigits);
                var text128 = product.ToString(CultureInfo.InvariantCulture);
                var trimmed128 = text128.TrimEnd('0');
                if (trimmed128.Length <= 18)
                {
                    digits = trimmed128;
                    dp = text128.Length - (int)fractionDigits;
                    return;
                }
            }
        }

        if (Exponent < 0 && Exponent >= -80)
        {
            var scaled = Mantissa * BigInteger.Pow(5, (int)-Exponent);
            var text = scaled.ToString(CultureInfo.InvariantCulture);
            var trimmed = text.TrimEnd('0');
            if (trimmed.Length <= 18)
            {
                digits = trimmed;
                dp = text.Length + (int)Exponent;
                return;
            }
        }

        GetRational(out var num, out var den);
        var bitPos = (long)num.GetBitLength() - (long)den.GetBitLength();
        var k = (int)Math.Floor(bitPos * 0.30102999566398119521); // estimate of floor(log10(|v|))

        // Round-tripping is monotonic in the number of digits, and 21 digits always suffice for a
        // 64-bit mantissa, so binary search for the fewest.
        var lo = 1;
        var hi = 21;
        BigInteger best = default;
        var bestK = k;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (TryDigits(num, den, mid, k, out _, out _))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        if (!TryDigits(num, den, lo, k, out best, out bestK))
        {
            // Unreachable for 64-bit mantissas; fall back to 25 digits.
            TryDigits(num, den, 25, k, out best, out bestK);
        }

        digits = best.ToString(CultureInfo.InvariantCulture).TrimEnd('0');
        dp = bestK + 1;
    }

    /// <summary>Rounds to <paramref name="nd"/> significant digits and reports whether that reads back to this value.</summary>
    private bool TryDigits(BigInteger num, BigInteger den, int nd, int k, out BigInteger q, out int kk)
    {
        kk = k;
        q = default;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            q = RoundScaled(num, den, nd - 1 - kk);
            if (q >= Pow10(nd))
            {
                kk++;
            }
            else if (q < Pow10(nd - 1))
            {
                kk--;
            }
            else
            {
                break;
            }
        }

        var p = kk - nd + 1;
        var back = p >= 0
            ? Round(1, q * Pow10(p), BigInteger.One, 0)
            : Round(1, q, Pow10(-p), 0);
        return back.Mantissa == Mantissa && back.Exponent == Exponent;
    }

    private static UInt128 UInt128Pow5(int k)
    {
        UInt128 result = 1;
        for (var i = 0; i < k; i++)
        {
            result *= 5;
        }

        return result;
    }

    private static readonly BigInteger[] SmallPowers = CreatePowers();

    private static BigInteger[] CreatePowers()
    {
        var powers = new BigInteger[64];
        powers[0] = BigInteger.One;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }

    private static BigInteger Pow10(int exponent) => exponent < SmallPowers.Length ? SmallPowers[exponent] : BigInteger.Pow(Ten, exponent);

    private static BigInteger RoundScaled(BigInteger num, BigInteger den, int pow10)
    {
        if (pow10 >= 0)
        {
            num *= Pow10(pow10);
        }
        else
        {
            den *= Pow10(-pow10);
        }

        var q = BigInteger.DivRem(num, den, out var r);
        var c = (r * 2).CompareTo(den);
        if (c > 0 || (c == 0 && !q.IsEven))
        {
            q += 1;
        }

        return q;
    }
}
