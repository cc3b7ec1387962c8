using System.Globalization;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>to_number and the deprecated cast_* builtins (v0).</summary>
internal static class Casts
{
    public static void Register(BuiltinTable table)
    {
        table.Add("to_number", [T.Null | T.Boolean | T.Number | T.String], T.Number, static (_, a) => ToNumber(a[0]));
        table.Add("cast_array", [T.Array | T.Set], T.Array, static (_, a) => a[0] switch
        {
            ArrayValue v => v,
            SetValue s => ArrayValue.Wrap(s.Sorted.ToArray()),
            _ => throw new BuiltinTypeException(1, "one of {array, set}", a[0]),
        });
        table.Add("cast_set", [T.Array | T.Set], T.Set, static (_, a) => a[0] switch
        {
            ArrayValue v => SetValue.Create(v.AsSpan()),
            SetValue s => s,
            _ => throw new BuiltinTypeException(1, "one of {array, set}", a[0]),
        });
        table.Add("cast_string", [T.Any], T.String, static (_, a) => a[0] as StringValue ?? throw new BuiltinTypeException(1, "string", a[0]));
        table.Add("cast_boolean", [T.Any], T.Boolean, static (_, a) => a[0] as BooleanValue ?? throw new BuiltinTypeException(1, "boolean", a[0]));
        table.Add("cast_null", [T.Any], T.Null, static (_, a) => a[0] as NullValue ?? throw new BuiltinTypeException(1, "null", a[0]));
        table.Add("cast_object", [T.Any], T.Object, static (_, a) => a[0] as ObjectValue ?? throw new BuiltinTypeException(1, "object", a[0]));
    }

    private static NumberValue ToNumber(Value value)
    {
        switch (value)
        {
            case NullValue:
                return NumberValue.Zero;
            case BooleanValue b:
                return b.Value ? NumberValue.One : NumberValue.Zero;
            case NumberValue n:
                return n;
            case StringValue s:
                return ParseNumberString(s, 1);
            default:
                throw new BuiltinTypeException(1, "one of {null, boolean, number, string}", value);
        }
    }

    /// <summary>Parses a number string as Go's strconv.ParseFloat accepts it (decimal forms), keeping the text.</summary>
    internal static NumberValue ParseNumberString(StringValue value, int operand)
    {
        var text = value.Value;
        var lower = text.TrimStart('+', '-').ToLowerInvariant();
        if (lower is "inf" or "infinity" or "nan")
        {
            throw new BuiltinTypeException(operand, "valid number string", value);
        }

        if (!IsDecimalFloat(text))
        {
            throw new BuiltinErrorException($"strconv.ParseFloat: parsing {Strings.GoQuote(text)}: invalid syntax");
        }

        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(d))
        {
            throw new BuiltinErrorException($"strconv.ParseFloat: parsing {Strings.GoQuote(text)}: value out of range");
        }

        var normalized = text.StartsWith('+') ? text[1..] : text;
        return NumberValue.Parse(normalized) ?? throw new BuiltinErrorException($"strconv.ParseFloat: parsing {Strings.GoQuote(text)}: invalid syntax");
    }

    /// <summary>Go's decimal float syntax without the special values: [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa digit.</summary>
    internal static bool IsDecimalFloat(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        var digits = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
            digits++;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var expDigits = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }
}
