using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Vigil.Policy.Values;

/// <summary>Writes values as JSON the way OPA serializes them.</summary>
internal static class JsonValueWriter
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true, Indented = true };

    public static string Write(Value value, bool indented)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, indented ? Indented : Compact))
        {
            Write(value, writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    public static void Write(Value value, Utf8JsonWriter writer)
    {
        switch (value)
        {
            case NullValue:
                writer.WriteNullValue();
                break;
            case BooleanValue b:
                writer.WriteBooleanValue(b.Value);
                break;
            case NumberValue n:
                writer.WriteRawValue(n.ToNumberText(), skipInputValidation: true);
                break;
            case StringValue s:
                writer.WriteStringValue(s.Value);
                break;
            case ArrayValue a:
                writer.WriteStartArray();
                foreach (var item in a.AsSpan())
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            case SetValue set:
                writer.WriteStartArray();
                foreach (var item in set.Sorted)
                {
                    Write(item, writer);
                }

                writer.WriteEndArray();
                break;
            case ObjectValue o:
                writer.WriteStartObject();
                foreach (var (key, item) in o.Sorted)
                {
                    writer.WritePropertyName(key is StringValue ks ? ks.Value : key.ToString());
                    Write(item, writer);
                }

                writer.WriteEndObject();
                break;
            default:
                throw new InvalidOperationException("unknown value kind");
        }
    }

    /// <summary>Appends a string as a quoted, escaped Rego/JSON string literal.</summary>
    public static void AppendQuoted(StringBuilder builder, string value) => AppendQuoted(builder, value, htmlSafe: false);

    /// <summary>
    /// Appends a quoted, escaped JSON string; with <paramref name="htmlSafe"/>, also escapes &lt; &gt; &amp; U+2028 U+2029
    /// as Go's json.Marshal does.
    /// </summary>
    public static void AppendQuoted(StringBuilder builder, string value, bool htmlSafe)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || (htmlSafe && c is '<' or '>' or '&' or '\u2028' or '\u2029'))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
