using System.Globalization;
using System.Numerics;
using System.Text;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins.Security;

/// <summary>JSON text as Go's encoding/json writes OPA values: compact, keys sorted, HTML characters escaped.</summary>
internal static class GoJsonText
{
    public static string Marshal(Value value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Value value)
    {
        switch (value)
        {
            case NullValue:
                sb.Append("null");
                break;
            case BooleanValue b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case NumberValue n:
                sb.Append(n.ToNumberText());
                break;
            case StringValue s:
                WriteString(sb, s.Value);
                break;
            case ArrayValue a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Write(sb, a[i]);
                }

                sb.Append(']');
                break;
            case SetValue set:
                sb.Append('[');
                var first = true;
                foreach (var item in set.Sorted)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    Write(sb, item);
                }

                sb.Append(']');
                break;
            case ObjectValue o:
                {
                    var entries = new List<(string Key, Value Value)>(o.Count);
                    foreach (var (k, v) in o.Sorted)
                    {
                        entries.Add((k is StringValue ks ? ks.Value : throw new BuiltinErrorException("json: unsupported object key type " + k.TypeName), v));
                    }

                    entries.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
                    sb.Append('{');
                    for (var i = 0; i < entries.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        WriteString(sb, entries[i].Key);
                        sb.Append(':');
                        Write(sb, entries[i].Value);
                    }

                    sb.Append('}');
                    break;
                }
        }
    }

    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>Compares two decimal numbers given as text (JSON/Go float syntax), exactly.</summary>
    public static int CompareDecimal(string a, string b)
    {
        var (ma, ea) = ParseDecimal(a);
        var (mb, eb) = ParseDecimal(b);
        if (ea > eb)
        {
            ma *= BigInteger.Pow(10, Math.Min(ea - eb, 4_000));
        }
        else if (eb > ea)
        {
            mb *= BigInteger.Pow(10, Math.Min(eb - ea, 4_000));
        }

        return ma.CompareTo(mb);
    }

    private static (BigInteger Mantissa, int Exponent) ParseDecimal(string text)
    {
        text = text.Trim();
        var negative = text.StartsWith('-');
        if (negative || text.StartsWith('+'))
        {
            text = text[1..];
        }

        var exponent = 0;
        var e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            // Exponents beyond any meaningful claim value are clamped: the comparison only needs their sign and size.
            exponent = BigInteger.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big)
                ? (int)BigInteger.Clamp(big, -1_000_000, 1_000_000)
                : 0;
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            exponent -= text.Length - dot - 1;
            text = text.Remove(dot, 1);
        }

        var mantissa = text.Length > 0 && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : BigInteger.Zero;
        return (negative ? -mantissa : mantissa, exponent);
    }
}
