using System.Globalization;
using System.Numerics;

namespace Vigil.Policy.Values;

/// <summary>
/// An exact, normalised decimal: value = Sign × 0.Digits × 10^Exponent with no leading or
/// trailing zeros in <see cref="Digits"/>. Used to compare and hash numbers exactly.
/// </summary>
internal sealed class DecimalForm
{
    /// <summary>Integers with more digits than this are not expanded into a BigInteger.</summary>
    private const long MaxIntegerDigits = 4096;

    private DecimalForm(int sign, string digits, long exponent)
    {
        Sign = sign;
        Digits = digits;
        Exponent = exponent;
    }

    public int Sign { get; }

    public string Digits { get; }

    public long Exponent { get; }

    /// <summary>True when the value is a whole number small enough to expand exactly.</summary>
    public bool IsBoundedInteger => Sign == 0 || (Exponent >= Digits.Length && Exponent <= MaxIntegerDigits);

    public static DecimalForm FromText(string text)
    {
        var span = text.AsSpan().Trim();
        var sign = 1;
        if (span.Length > 0 && span[0] is '+' or '-')
        {
            sign = span[0] == '-' ? -1 : 1;
            span = span[1..];
        }

        long exponent = 0;
        var e = span.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!long.TryParse(span[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            {
                exponent = 0;
            }

            span = span[..e];
        }

        if (span.ContainsAnyExceptInRange('0', '9') && span.ContainsAnyExcept("0123456789.".AsSpan()))
        {
            // Non-finite doubles ("Infinity", "NaN"): order infinities beyond every finite value.
            return span.StartsWith("Inf", StringComparison.Ordinal) || span.StartsWith("∞", StringComparison.Ordinal)
                ? new DecimalForm(sign, "1", long.MaxValue)
                : new DecimalForm(0, string.Empty, 0);
        }

        var point = span.IndexOf('.');
        var intPart = point < 0 ? span : span[..point];
        var fracPart = point < 0 ? [] : span[(point + 1)..];
        var digits = string.Concat(intPart, fracPart);
        long dp = intPart.Length + exponent;

        var start = 0;
        while (start < digits.Length && digits[start] == '0')
        {
            start++;
            dp--;
        }

        var end = digits.Length;
        while (end > start && digits[end - 1] == '0')
        {
            end--;
        }

        if (start >= end)
        {
            return new DecimalForm(0, string.Empty, 0);
        }

        return new DecimalForm(sign, digits[start..end], dp);
    }

    public BigInteger ToBigInteger()
    {
        if (Sign == 0)
        {
            return BigInteger.Zero;
        }

        var value = BigInteger.Parse(Digits, NumberStyles.None, CultureInfo.InvariantCulture) * BigInteger.Pow(10, (int)(Exponent - Digits.Length));
        return Sign < 0 ? -value : value;
    }

    public static int Compare(DecimalForm a, DecimalForm b)
    {
        if (a.Sign != b.Sign)
        {
            return a.Sign.CompareTo(b.Sign);
        }

        if (a.Sign == 0)
        {
            return 0;
        }

        int magnitude;
        if (a.Exponent != b.Exponent)
        {
            magnitude = a.Exponent.CompareTo(b.Exponent);
        }
        else
        {
            magnitude = string.CompareOrdinal(a.Digits, b.Digits);
            magnitude = Math.Sign(magnitude);
        }

        return a.Sign > 0 ? magnitude : -magnitude;
    }

    public override int GetHashCode() => HashCode.Combine(Sign, string.GetHashCode(Digits, StringComparison.Ordinal), Exponent);

    public override bool Equals(object? obj) => obj is DecimalForm d && Compare(this, d) == 0;
}
