using System.Globalization;
using System.Numerics;
using System.Text;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>units.parse (exact rationals, as OPA) and units.parse_bytes (64-bit big float, truncated).</summary>
internal static class Units
{
    private const int MaxExponentDigits = 6;

    // Exponents this large would build enormous exact rationals; refused as "exponent too large".
    private const int MaxExponent = 100_000;

    public static void Register(BuiltinTable table)
    {
        table.Add("units.parse", [T.String], T.Number, static (_, a) => Parse(Args.String(a, 0)));
        table.Add("units.parse_bytes", [T.String], T.Number, static (_, a) => ParseBytes(Args.String(a, 0)));
    }

    private static NumberValue Parse(string raw)
    {
        const string Name = "units.parse: ";
        var (num, unit) = SplitAmount(raw.Replace("\"", string.Empty, StringComparison.Ordinal), Name, "no amount provided");

        if (unit.Length > 1)
        {
            unit = unit[..1] + unit[1..].ToLowerInvariant();
        }

        BigInteger factorNum;
        BigInteger factorDen = BigInteger.One;
        switch (unit)
        {
            case "m":
                // OPA multiplies by the float64 0.001, exactly as a rational.
                ExactDouble(0.001, out factorNum, out factorDen);
                break;
            case "": factorNum = 1; break;
            case "k" or "K": factorNum = 1000; break;
            case "ki" or "Ki": factorNum = BigInteger.One << 10; break;
            case "M": factorNum = BigInteger.Pow(1000, 2); break;
            case "mi" or "Mi": factorNum = BigInteger.One << 20; break;
            case "g" or "G": factorNum = BigInteger.Pow(1000, 3); break;
            case "gi" or "Gi": factorNum = BigInteger.One << 30; break;
            case "t" or "T": factorNum = BigInteger.Pow(1000, 4); break;
            case "ti" or "Ti": factorNum = BigInteger.One << 40; break;
            case "p" or "P": factorNum = BigInteger.Pow(1000, 5); break;
            case "pi" or "Pi": factorNum = BigInteger.One << 50; break;
            case "e" or "E": factorNum = BigInteger.Pow(1000, 6); break;
            case "ei" or "Ei": factorNum = BigInteger.One << 60; break;
            default: throw new BuiltinErrorException(Name + $"unit {unit} not recognized");
        }

        if (!TryParseRational(num, out var n, out var d))
        {
            throw new BuiltinErrorException(Name + "could not parse amount to a number");
        }

        n *= factorNum;
        d *= factorDen;
        if (BigInteger.Remainder(n, d).IsZero)
        {
            return NumberValue.Create(n / d);
        }

        return NumberValue.Parse(FloatString(n, d, 10)) ?? NumberValue.Zero;
    }

    /// <summary>The amount and unit of a resource string, with OPA's errors (prefixed by <paramref name="name"/>).</summary>
    private static (string Num, string Unit) SplitAmount(string s, string name, string noAmount)
    {
        if (s.Contains(' ', StringComparison.Ordinal))
        {
            throw new BuiltinErrorException(name + "spaces not allowed in resource strings");
        }

        if (!ExtractNumberAndUnit(s, out var num, out var unit))
        {
            throw new BuiltinErrorException(name + "exponent too large");
        }

        if (num.Length == 0)
        {
            throw new BuiltinErrorException(name + noAmount);
        }

        return (num, unit);
    }

    private static NumberValue ParseBytes(string raw)
    {
        const string Name = "units.parse_bytes: ";
        var (num, unit) = SplitAmount(raw.ToLowerInvariant().Replace("\"", string.Empty, StringComparison.Ordinal), Name, "no byte amount provided");

        BigInteger factor = unit switch
        {
            "" => 1,
            "kb" or "k" => 1000,
            "kib" or "ki" => BigInteger.One << 10,
            "mb" or "m" => BigInteger.Pow(1000, 2),
            "mib" or "mi" => BigInteger.One << 20,
            "gb" or "g" => BigInteger.Pow(1000, 3),
            "gib" or "gi" => BigInteger.One << 30,
            "tb" or "t" => BigInteger.Pow(1000, 4),
            "tib" or "ti" => BigInteger.One << 40,
            "pb" or "p" => BigInteger.Pow(1000, 5),
            "pib" or "pi" => BigInteger.One << 50,
            "eb" or "e" => BigInteger.Pow(1000, 6),
            "eib" or "ei" => BigInteger.One << 60,
            _ => throw new BuiltinErrorException(Name + $"byte unit {unit} not recognized"),
        };

        if (!Casts.IsDecimalFloat(num) || !BigFloat.TryParse(num, out var value))
        {
            throw new BuiltinErrorException(Name + "could not parse byte amount to a number");
        }

        return NumberValue.Create(BigFloat.Multiply(value, BigFloat.FromInteger(factor)).Truncate());
    }

    /// <summary>OPA's extractNumAndUnit; false when the exponent has too many digits.</summary>
    private static bool ExtractNumberAndUnit(string s, out string num, out string unit)
    {
        var firstNonNum = -1;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!char.IsDigit(c) && c != '.' && c is not ('e' or 'E' or '+' or '-'))
            {
                firstNonNum = i;
                break;
            }

            if (c is 'e' or 'E')
            {
                if (i == s.Length - 1 || (!char.IsDigit(s[i + 1]) && s[i + 1] is not ('+' or '-')))
                {
                    firstNonNum = i;
                    break;
                }

                if (s[i + 1] is '+' or '-')
                {
                    i++;
                }

                var start = i + 1;
                var end = start;
                while (end < s.Length && char.IsDigit(s[end]))
                {
                    end++;
                }

                if (end - start > MaxExponentDigits)
                {
                    num = unit = string.Empty;
                    return false;
                }
            }
        }

        if (firstNonNum == -1)
        {
            num = s;
            unit = string.Empty;
        }
        else if (firstNonNum == 0)
        {
            num = string.Empty;
            unit = s;
        }
        else
        {
            num = s[..firstNonNum];
            unit = s[firstNonNum..];
        }

        return true;
    }

    /// <summary>big.Rat.SetString for decimal forms ("1.5", ".5", "-3.5E2") and fractions ("1/3").</summary>
    private static bool TryParseRational(string s, out BigInteger num, out BigInteger den)
    {
        num = BigInteger.Zero;
        den = BigInteger.One;
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            return BigInteger.TryParse(s[..slash], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out num)
                && BigInteger.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out den) && !den.IsZero;
        }

        if (!Casts.IsDecimalFloat(s))
        {
            return false;
        }

        var negative = s[0] == '-';
        var body = s.TrimStart('+', '-');
        var ePos = body.IndexOfAny(['e', 'E']);
        long exponent = 0;
        if (ePos >= 0)
        {
            if (!long.TryParse(body[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            {
                return false;
            }

            body = body[..ePos];
        }

        var point = body.IndexOf('.', StringComparison.Ordinal);
        var digits = new StringBuilder(body.Length);
        if (point >= 0)
        {
            digits.Append(body, 0, point).Append(body, point + 1, body.Length - point - 1);
            exponent -= body.Length - point - 1;
        }
        else
        {
            digits.Append(body);
        }

        if (Math.Abs(exponent) > MaxExponent)
        {
            return false;
        }

        num = BigInteger.Parse(digits.Length == 0 ? "0" : digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        if (exponent >= 0)
        {
            num *= BigInteger.Pow(10, (int)exponent);
        }
        else
        {
            den = BigInteger.Pow(10, (int)-exponent);
        }

        if (negative)
        {
            num = -num;
        }

        return true;
    }

    private static void ExactDouble(double value, out BigInteger num, out BigInteger den)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent != 0)
        {
            mantissa |= 1L << 52;
        }
        else
        {
            exponent = 1;
        }

        exponent -= 1075;
        num = mantissa;
        den = BigInteger.One;
        if (exponent > 0)
        {
            num <<= exponent;
        }
        else
        {
            den <<= -exponent;
        }
    }

    /// <summary>big.Rat.FloatString: fixed decimals, last digit rounded half away from zero.</summary>
    private static string FloatString(BigInteger num, BigInteger den, int decimals)
    {
        var negative = num.Sign < 0;
        num = BigInteger.Abs(num);
        var scale = BigInteger.Pow(10, decimals);
        var q = BigInteger.DivRem(num * scale, den, out var r);
        if (r * 2 >= den)
        {
            q += 1;
        }

        var text = q.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var result = text[..^decimals] + "." + text[^decimals..];
        return negative ? "-" + result : result;
    }
}
