using System.Globalization;
using System.Numerics;
using System.Text;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// sprintf: Go's fmt verbs applied to operands as OPA passes them (integers as int or big.Int,
/// other numbers as float64, strings raw, everything else as its Rego text).
/// </summary>
internal static class Sprintf
{
    /// <summary>Largest width/precision honoured (a hostile "%999999999d" must not allocate gigabytes).</summary>
    private const int MaxWidth = 1_000_000;

    public static void Register(BuiltinTable table)
    {
        table.Add("sprintf", [T.String, T.Array], T.String, static (_, a) =>
        {
            var format = Args.String(a, 0);
            if (a[1] is not ArrayValue array)
            {
                throw new BuiltinTypeException(2, "array", a[1]);
            }

            return Value.From(Format(format, array.AsSpan()));
        });
    }

    private enum ArgKind
    {
        Int,
        BigInt,
        Float,
        String,
    }

    private readonly record struct Arg(ArgKind Kind, long Int, BigInteger Big, double Float, string Text)
    {
        public string GoType => Kind switch
        {
            ArgKind.Int => "int",
            ArgKind.BigInt => "*big.Int",
            ArgKind.Float => "float64",
            _ => "string",
        };
    }

    private static Arg Convert(Value value)
    {
        switch (value)
        {
            case NumberValue n:
                if (n.Representation != NumberRepresentation.Float && n.TryGetInt64(out var l))
                {
                    return new Arg(ArgKind.Int, l, default, 0, string.Empty);
                }

                if (n.Representation == NumberRepresentation.BigInteger && n.LiteralText is { } literal)
                {
                    // OPA keeps the literal: "1e30" is not an integer string to Go, so it goes as float64 or text.
                    var f = double.Parse(literal, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
                    return double.IsFinite(f) ? new Arg(ArgKind.Float, 0, default, f, string.Empty) : new Arg(ArgKind.String, 0, default, 0, literal);
                }

                if (n.Representation == NumberRepresentation.BigInteger && n.TryGetBigInteger(out var b))
                {
                    return new Arg(ArgKind.BigInt, 0, b, 0, string.Empty);
                }

                var d = n.ToDouble();
                return double.IsFinite(d)
                    ? new Arg(ArgKind.Float, 0, default, d, string.Empty)
                    : new Arg(ArgKind.String, 0, default, 0, n.ToNumberText());
            case StringValue s:
                return new Arg(ArgKind.String, 0, default, 0, s.Value);
            default:
                return new Arg(ArgKind.String, 0, default, 0, value.ToString());
        }
    }

    public static string Format(string format, ReadOnlySpan<Value> values)
    {
        var args = new Arg[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            args[k] = Convert(values[k]);
        }

        var output = new StringBuilder(format.Length + 16);
        var argIndex = 0;
        var reordered = false;
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c != '%')
            {
                output.Append(c);
                i++;
                continue;
            }

            i++;
            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }

            var spec = default(Spec);
            for (; i < format.Length; i++)
            {
                switch (format[i])
                {
                    case '-': spec.Minus = true; spec.Zero = false; continue;
                    case '+': spec.Plus = true; continue;
                    case '#': spec.Sharp = true; continue;
                    case ' ': spec.Space = true; continue;
                    case '0': spec.Zero = !spec.Minus; continue;
                }

                break;
            }

            reordered |= i < format.Length && format[i] == '[';
            var badIndex = !TryArgIndex(format, ref i, args.Length, ref argIndex);
            spec.Width = ParseNumber(format, ref i, args, ref argIndex);
            if (i < format.Length && format[i] == '.')
            {
                i++;
                spec.Precision = ParseNumber(format, ref i, args, ref argIndex) ?? 0;
            }

            reordered |= i < format.Length && format[i] == '[';
            badIndex |= !TryArgIndex(format, ref i, args.Length, ref argIndex);

            if (i >= format.Length)
            {
                output.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i];
            if (char.IsHighSurrogate(verb) && i + 1 < format.Length)
            {
                output.Append("%!").Append(format, i, 2).Append("(BADVERB)");
                i += 2;
                continue;
            }

            i++;
            if (verb == '%')
            {
                output.Append('%');
                continue;
            }

            if (badIndex)
            {
                output.Append("%!").Append(verb).Append("(BADINDEX)");
                continue;
            }

            if (argIndex >= args.Length)
            {
                output.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            FormatOne(output, spec, verb, args[argIndex++]);
            CoreArgs.CheckResultLength(output.Length);
        }

        if (!reordered && argIndex < args.Length)
        {
            output.Append("%!(EXTRA ");
            for (var k = argIndex; k < args.Length; k++)
            {
                if (k > argIndex)
                {
                    output.Append(", ");
                }

                output.Append(args[k].GoType).Append('=');
                FormatOne(output, default, 'v', args[k]);
            }

            output.Append(')');
        }

        return output.ToString();
    }

    /// <summary>Go's explicit argument index <c>[n]</c> (1-based); false for a malformed or out-of-range index.</summary>
    private static bool TryArgIndex(string format, ref int i, int count, ref int argIndex)
    {
        if (i >= format.Length || format[i] != '[')
        {
            return true;
        }

        var close = format.IndexOf(']', i);
        if (close < 0 || !int.TryParse(format.AsSpan(i + 1, close - i - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > count)
        {
            i = close < 0 ? format.Length : close + 1;
            return false;
        }

        argIndex = n - 1;
        i = close + 1;
        return true;
    }

    private static int? ParseNumber(string format, ref int i, Arg[] args, ref int argIndex)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            if (argIndex < args.Length && args[argIndex].Kind == ArgKind.Int)
            {
                return (int)Math.Clamp(args[argIndex++].Int, -MaxWidth, MaxWidth);
            }

            argIndex++;
            return null;
        }

        var start = i;
        long n = 0;
        while (i < format.Length && char.IsAsciiDigit(format[i]))
        {
            n = Math.Min((n * 10) + (format[i] - '0'), MaxWidth);
            i++;
        }

        return i > start ? (int)n : null;
    }

    private struct Spec
    {
        public bool Minus;
        public bool Plus;
        public bool Sharp;
        public bool Space;
        public bool Zero;
        public int? Width;
        public int? Precision;
    }

    private static void FormatOne(StringBuilder output, Spec spec, char verb, Arg arg)
    {
        string? body = arg.Kind switch
        {
            ArgKind.Int => FormatInteger(arg.Int, spec, verb),
            ArgKind.BigInt => FormatBigInteger(arg.Big, spec, verb),
            ArgKind.Float => FormatFloat(arg.Float, spec, verb),
            _ => FormatString(arg.Text, spec, verb),
        };

        if (body is null)
        {
            output.Append("%!").Append(verb).Append('(').Append(arg.GoType).Append('=');
            FormatOne(output, default, 'v', arg);
            output.Append(')');
            return;
        }

        Pad(output, body, spec, numeric: arg.Kind != ArgKind.String);
    }

    private static void Pad(StringBuilder output, string body, Spec spec, bool numeric)
    {
        var width = spec.Width ?? 0;
        var length = new StringInfo(body).LengthInTextElements;
        if (width <= length)
        {
            output.Append(body);
            return;
        }

        var padding = width - length;
        if (spec.Minus)
        {
            output.Append(body).Append(' ', padding);
        }
        else if (spec.Zero && numeric && !(spec.Precision.HasValue && IsIntegerBody(body)))
        {
            var signLength = body.Length > 0 && body[0] is '-' or '+' or ' ' ? 1 : 0;
            output.Append(body, 0, signLength).Append('0', padding).Append(body, signLength, body.Length - signLength);
        }
        else if (spec.Zero && !numeric)
        {
            output.Append('0', padding).Append(body);
        }
        else
        {
            output.Append(' ', padding).Append(body);
        }
    }

    private static bool IsIntegerBody(string body) => !body.Contains('.', StringComparison.Ordinal) && !body.Contains('e', StringComparison.Ordinal);

    private static string Sign(bool negative, Spec spec) => negative ? "-" : spec.Plus ? "+" : spec.Space ? " " : string.Empty;

    private static string? FormatInteger(long value, Spec spec, char verb) => verb == 's' ? null : FormatBigInteger(value, spec, verb);

    private static string? FormatBigInteger(BigInteger value, Spec spec, char verb)
    {
        var negative = value.Sign < 0;
        var magnitude = BigInteger.Abs(value);
        string digits;
        var prefix = string.Empty;
        switch (verb)
        {
            case 'd' or 'v' or 's':
                digits = magnitude.ToString(CultureInfo.InvariantCulture);
                break;
            case 'x':
                digits = ToBase(magnitude, 16, lower: true);
                prefix = spec.Sharp ? "0x" : string.Empty;
                break;
            case 'X':
                digits = ToBase(magnitude, 16, lower: false);
                prefix = spec.Sharp ? "0X" : string.Empty;
                break;
            case 'o':
                digits = ToBase(magnitude, 8, lower: true);
                prefix = spec.Sharp ? "0" : string.Empty;
                break;
            case 'O':
                digits = ToBase(magnitude, 8, lower: true);
                prefix = "0o";
                break;
            case 'b':
                digits = ToBase(magnitude, 2, lower: true);
                break;
            case 'c' when magnitude <= 0x10FFFF && !negative:
                return Rune.IsValid((int)magnitude) ? char.ConvertFromUtf32((int)magnitude) : "\uFFFD";
            case 'q' when magnitude <= 0x10FFFF && !negative:
                return "'" + (Rune.IsValid((int)magnitude) ? char.ConvertFromUtf32((int)magnitude) : "\uFFFD") + "'";
            case 'U' when !negative:
                return "U+" + ToBase(magnitude, 16, lower: false).PadLeft(4, '0');
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G':
                return null;
            default:
                return null;
        }

        if (spec.Precision is { } precision)
        {
            if (precision == 0 && magnitude.IsZero)
            {
                digits = string.Empty;
            }
            else if (digits.Length < precision)
            {
                digits = digits.PadLeft(Math.Min(precision, MaxWidth), '0');
            }
        }

        return Sign(negative, spec) + prefix + digits;
    }

    private static string ToBase(BigInteger magnitude, int radix, bool lower)
    {
        if (magnitude.IsZero)
        {
            return "0";
        }

        var alphabet = lower ? "0123456789abcdef" : "0123456789ABCDEF";
        var chars = new List<char>();
        var r = new BigInteger(radix);
        while (!magnitude.IsZero)
        {
            magnitude = BigInteger.DivRem(magnitude, r, out var rem);
            chars.Add(alphabet[(int)rem]);
        }

        chars.Reverse();
        return new string(chars.ToArray());
    }

    private static string? FormatFloat(double value, Spec spec, char verb)
    {
        var negative = double.IsNegative(value);
        var magnitude = Math.Abs(value);
        string body;
        switch (verb)
        {
            case 'v' or 'g' or 'G':
                body = GoFloat.FormatG(magnitude, spec.Precision ?? -1);
                if (verb == 'G')
                {
                    body = body.ToUpperInvariant();
                }

                break;
            case 'f' or 'F':
                body = GoFloat.FormatF(magnitude, spec.Precision ?? 6);
                break;
            case 'e' or 'E':
                body = GoFloat.FormatE(magnitude, spec.Precision ?? 6);
                if (verb == 'E')
                {
                    body = body.ToUpperInvariant();
                }

                break;
            default:
                return null;
        }

        return Sign(negative, spec) + body;
    }

    private static string? FormatString(string value, Spec spec, char verb)
    {
        switch (verb)
        {
            case 'v' or 's':
                return spec.Precision is { } p ? Strings.TruncateRunes(value, p) : value;
            case 'q':
                return Strings.GoQuote(value);
            case 'x' or 'X':
                var hex = System.Convert.ToHexString(Encoding.UTF8.GetBytes(value));
                return verb == 'x' ? hex.ToLowerInvariant() : hex;
            default:
                return null;
        }
    }
}

/// <summary>Go's strconv float formatting ('e', 'f', 'g') for float64 values.</summary>
internal static class GoFloat
{
    /// <summary>Shortest (prec &lt; 0) or fixed-precision %g, as Go's strconv.FormatFloat(v, 'g', prec, 64). Expects v &gt;= 0.</summary>
    public static string FormatG(double v, int prec)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return "+Inf";
        }

        var shortest = prec < 0;
        string digits;
        int dp;
        if (v == 0)
        {
            digits = "0";
            dp = 1;
        }
        else if (shortest)
        {
            Decompose(ShortestE(v), out digits, out dp);
        }
        else
        {
            if (prec == 0)
            {
                prec = 1;
            }

            Decompose(v.ToString("E" + (prec - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), out digits, out dp);
        }

        var eprec = shortest ? 6 : prec;
        if (!shortest && eprec > digits.Length && digits.Length >= dp)
        {
            eprec = digits.Length;
        }

        var exp = dp - 1;
        if (exp < -4 || exp >= eprec)
        {
            var p = shortest ? digits.Length : Math.Min(prec, digits.Length);
            return FormatEDigits(digits, dp, p - 1);
        }

        var fprec = shortest ? digits.Length : (prec > dp ? digits.Length : prec);
        return FormatFDigits(digits, dp, Math.Max(fprec - dp, 0));
    }

    public static string FormatF(double v, int prec)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        return double.IsInfinity(v) ? "+Inf" : v.ToString("F" + Math.Min(prec, 1000).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    public static string FormatE(double v, int prec)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }

        if (double.IsInfinity(v))
        {
            return "+Inf";
        }

        if (v == 0)
        {
            return prec > 0 ? "0." + new string('0', prec) + "e+00" : "0e+00";
        }

        Decompose(v.ToString("E" + Math.Min(prec, 1000).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), out var digits, out var dp);
        digits = digits.PadRight(prec + 1, '0');
        return FormatEDigits(digits, dp, prec);
    }

    private static string ShortestE(double v)
    {
        // "R" gives the shortest round-trip digits; normalise it to d.ddddE+x form.
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E', StringComparison.Ordinal))
        {
            return r;
        }

        var digits = r.Replace(".", string.Empty, StringComparison.Ordinal);
        var point = r.IndexOf('.', StringComparison.Ordinal);
        var intLength = point < 0 ? r.Length : point;
        var firstNonZero = 0;
        while (firstNonZero < digits.Length - 1 && digits[firstNonZero] == '0')
        {
            firstNonZero++;
        }

        var exp = intLength - 1 - firstNonZero;
        var significant = digits[firstNonZero..].TrimEnd('0');
        if (significant.Length == 0)
        {
            significant = "0";
        }

        return significant[0] + (significant.Length > 1 ? "." + significant[1..] : string.Empty) + "E" + exp.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Splits "d.dddE±x" into trimmed digits and the decimal point position (value = 0.digits × 10^dp).</summary>
    private static void Decompose(string e, out string digits, out int dp)
    {
        var ePos = e.IndexOfAny(['E', 'e']);
        var mantissa = e[..ePos].Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('-');
        var exponent = int.Parse(e[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        digits = mantissa.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        dp = exponent + 1;
    }

    private static string FormatEDigits(string digits, int dp, int prec)
    {
        var builder = new StringBuilder();
        builder.Append(digits[0]);
        if (prec > 0)
        {
            builder.Append('.');
            for (var i = 1; i <= prec; i++)
            {
                builder.Append(i < digits.Length ? digits[i] : '0');
            }
        }

        var exp = digits == "0" ? 0 : dp - 1;
        builder.Append('e').Append(exp < 0 ? '-' : '+');
        var abs = Math.Abs(exp);
        if (abs < 10)
        {
            builder.Append('0');
        }

        builder.Append(abs.ToString(CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    private static string FormatFDigits(string digits, int dp, int prec)
    {
        var builder = new StringBuilder();
        if (dp > 0)
        {
            for (var i = 0; i < dp; i++)
            {
                builder.Append(i < digits.Length ? digits[i] : '0');
            }
        }
        else
        {
            builder.Append('0');
        }

        if (prec > 0)
        {
            builder.Append('.');
            for (var i = 0; i < prec; i++)
            {
                var j = dp + i;
                builder.Append(j >= 0 && j < digits.Length ? digits[j] : '0');
            }
        }

        return builder.ToString();
    }
}
