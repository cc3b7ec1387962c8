using System.Globalization;
using System.Text;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>json.*, base64.*, base64url.*, hex.*, urlquery.* encoders and decoders (Go's output formats).</summary>
internal static class Encodings
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static void Register(BuiltinTable table)
    {
        table.Add("json.marshal", [T.Any], T.String, static (_, a) => Value.From(GoJson.Marshal(a[0], string.Empty, null)));
        table.Add("json.marshal_with_options", [T.Any, T.Object], T.String, static (_, a) => MarshalWithOptions(a));
        table.Add("json.unmarshal", [T.String], T.Any, static (_, a) => Unmarshal(Args.String(a, 0)));
        table.Add("json.is_valid", [T.String], T.Boolean, static (_, a) => Value.From(a[0] is StringValue s && IsValidJson(s.Value)));

        table.Add("base64.encode", [T.String], T.String, static (_, a) => Value.From(Convert.ToBase64String(Utf8.GetBytes(Args.String(a, 0)))));
        table.Add("base64.decode", [T.String], T.String, static (_, a) => Value.From(Utf8.GetString(GoBase64.DecodeStd(Args.String(a, 0)))));
        table.Add("base64.is_valid", [T.String], T.Boolean, static (_, a) => Value.From(a[0] is StringValue s && TryBase64(s.Value)));
        table.Add("base64url.encode", [T.String], T.String, static (_, a) => Value.From(ToUrl(Convert.ToBase64String(Utf8.GetBytes(Args.String(a, 0))))));
        table.Add("base64url.encode_no_pad", [T.String], T.String, static (_, a) => Value.From(ToUrl(Convert.ToBase64String(Utf8.GetBytes(Args.String(a, 0)))).TrimEnd('=')));
        table.Add("base64url.decode", [T.String], T.String, static (_, a) => Value.From(Utf8.GetString(Base64UrlDecode(Args.String(a, 0)))));

        table.Add("hex.encode", [T.String], T.String, static (_, a) => Value.From(Convert.ToHexStringLower(Utf8.GetBytes(Args.String(a, 0)))));
        table.Add("hex.decode", [T.String], T.String, static (_, a) => Value.From(Utf8.GetString(HexDecode(Args.String(a, 0)))));

        table.Add("urlquery.encode", [T.String], T.String, static (_, a) => Value.From(QueryEscape(Args.String(a, 0))));
        table.Add("urlquery.decode", [T.String], T.String, static (_, a) => Value.From(QueryUnescape(Args.String(a, 0))));
        table.Add("urlquery.encode_object", [T.Object], T.String, static (_, a) => Value.From(EncodeObject(Args.Object(a, 0))));
        table.Add("urlquery.decode_object", [T.String], T.Object, static (_, a) => DecodeObject(Args.String(a, 0)));
    }

    private static Value MarshalWithOptions(ReadOnlySpan<Value> args)
    {
        var value = args[0];
        var options = Args.Object(args, 1);
        bool? pretty = null;
        string? indent = null;
        string? prefix = null;
        foreach (var (key, option) in options.Sorted)
        {
            var name = key is StringValue ks ? ks.Value : key.ToString();
            switch (name)
            {
                case "pretty":
                    pretty = option is BooleanValue b ? b.Value : throw new BuiltinTypeException(2, "boolean", option);
                    break;
                case "indent":
                    indent = option is StringValue si ? si.Value : throw new BuiltinTypeException(2, "string", option);
                    break;
                case "prefix":
                    prefix = option is StringValue sp ? sp.Value : throw new BuiltinTypeException(2, "string", option);
                    break;
                default:
                    throw new BuiltinTypeException($"object contained unknown key {Strings.GoQuote(name)}");
            }
        }

        var isPretty = pretty ?? (indent is not null || prefix is not null);
        if (!isPretty)
        {
            return Value.From(GoJson.Marshal(value, string.Empty, null));
        }

        return Value.From(GoJson.Marshal(value, prefix ?? string.Empty, indent ?? "\t"));
    }

    private static Value Unmarshal(string text)
    {
        try
        {
            return Value.FromJson(text);
        }
        catch (ValueParseException e)
        {
            throw new BuiltinErrorException(e.Message, e);
        }
    }

    private static bool IsValidJson(string text)
    {
        try
        {
            _ = Value.FromJson(text);
            return true;
        }
        catch (ValueParseException)
        {
            return false;
        }
    }

    private static string ToUrl(string base64) => base64.Replace('+', '-').Replace('/', '_');

    private static bool TryBase64(string s) => GoBase64.TryDecodeStd(s, out _);

    private static byte[] Base64UrlDecode(string s) => GoBase64.DecodeUrlOpa(s);

    private static byte[] HexDecode(string s)
    {
        var bytes = Utf8.GetBytes(s);
        var output = new byte[bytes.Length / 2];
        for (var i = 0; i + 1 < bytes.Length; i += 2)
        {
            var hi = HexValue(bytes, i);
            var lo = HexValue(bytes, i + 1);
            output[i / 2] = (byte)((hi << 4) | lo);
        }

        if (bytes.Length % 2 == 1)
        {
            _ = HexValue(bytes, bytes.Length - 1);
            throw new BuiltinErrorException("encoding/hex: odd length hex string");
        }

        return output;
    }

    private static int HexValue(byte[] bytes, int i)
    {
        var b = bytes[i];
        return b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => throw new BuiltinErrorException($"encoding/hex: invalid byte: U+{b:X4} {GoQuoteRune(b < 0x80 ? ((char)b).ToString() : "\uFFFD")}"),
        };
    }

    private static string GoQuoteRune(string c)
    {
        var quoted = Strings.GoQuote(c);
        return "'" + quoted[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) + "'";
    }

    /// <summary>Go's escaping of a URL path (url.URL.EscapedPath): unreserved characters and $&amp;+,/:;=@ stay, the rest is %XX.</summary>
    internal static string EscapeUrlPath(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Utf8.GetBytes(s))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-_.~$&+,/:;=@".Contains(c, StringComparison.Ordinal)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's url.QueryEscape.</summary>
    internal static string QueryEscape(string s)
    {
        var builder = new StringBuilder(s.Length);
        foreach (var b in Utf8.GetBytes(s))
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else if (b == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Go's url.QueryUnescape.</summary>
    internal static string QueryUnescape(string s)
    {
        var bytes = new List<byte>(s.Length);
        var utf8 = Utf8.GetBytes(s);
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b == '%')
            {
                if (i + 2 >= utf8.Length || !IsHex(utf8[i + 1]) || !IsHex(utf8[i + 2]))
                {
                    var end = Math.Min(utf8.Length, i + 3);
                    throw new BuiltinErrorException($"invalid URL escape {Strings.GoQuote(Utf8.GetString(utf8, i, end - i))}");
                }

                bytes.Add(Convert.FromHexString(Utf8.GetString(utf8, i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.Add(b == '+' ? (byte)' ' : b);
            }
        }

        return Utf8.GetString([.. bytes]);
    }

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    private static string EncodeObject(ObjectValue obj)
    {
        var pairs = new List<(string Key, string Value)>();
        foreach (var (key, value) in obj.Sorted)
        {
            var k = key as StringValue ?? throw new BuiltinTypeException(1, "object[string]any<string, array[string], set[string]>", obj);
            switch (value)
            {
                case StringValue s:
                    pairs.Add((k.Value, s.Value));
                    break;
                case ArrayValue or SetValue:
                    foreach (var item in (IEnumerable<Value>)value)
                    {
                        pairs.Add((k.Value, item is StringValue si ? si.Value : throw new BuiltinTypeException(1, "object[string]any<string, array[string], set[string]>", obj)));
                    }

                    break;
                default:
                    throw new BuiltinTypeException(1, "object[string]any<string, array[string], set[string]>", obj);
            }
        }

        // url.Values.Encode: sorted by key (stable for values of one key).
        return string.Join('&', pairs.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => QueryEscape(p.Key) + "=" + QueryEscape(p.Value)));
    }

    private static ObjectValue DecodeObject(string query)
    {
        var result = new Dictionary<string, List<Value>>(StringComparer.Ordinal);
        foreach (var part in query.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            if (part.Contains(';', StringComparison.Ordinal))
            {
                throw new BuiltinErrorException("invalid semicolon separator in query");
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = QueryUnescape(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? string.Empty : QueryUnescape(part[(eq + 1)..]);
            if (!result.TryGetValue(key, out var list))
            {
                result[key] = list = [];
            }

            list.Add(Value.From(value));
        }

        return ObjectValue.Create(result.Select(static kv => new KeyValuePair<string, Value>(kv.Key, ArrayValue.Create(kv.Value))));
    }
}

/// <summary>Go's encoding/json output for values (sorted keys, HTML-safe escaping, MarshalIndent layout).</summary>
internal static class GoJson
{
    public static string Marshal(Value value, string prefix, string? indent)
    {
        var builder = new StringBuilder();
        builder.Append(prefix);
        Write(builder, value, prefix, indent, 0);
        return builder.ToString();
    }

    private static void NewLine(StringBuilder builder, string prefix, string indent, int depth)
    {
        builder.Append('\n').Append(prefix);
        for (var i = 0; i < depth; i++)
        {
            builder.Append(indent);
        }
    }

    private static void Write(StringBuilder builder, Value value, string prefix, string? indent, int depth)
    {
        switch (value)
        {
            case NullValue:
                builder.Append("null");
                break;
            case BooleanValue b:
                builder.Append(b.Value ? "true" : "false");
                break;
            case NumberValue n:
                builder.Append(n.ToNumberText());
                break;
            case StringValue s:
                JsonValueWriter.AppendQuoted(builder, s.Value, htmlSafe: true);
                break;
            case ArrayValue or SetValue:
                var items = value is ArrayValue a ? a.AsSpan().ToArray() : ((SetValue)value).Sorted.ToArray();
                builder.Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    if (indent is not null)
                    {
                        NewLine(builder, prefix, indent, depth + 1);
                    }

                    Write(builder, items[i], prefix, indent, depth + 1);
                }

                if (indent is not null && items.Length > 0)
                {
                    NewLine(builder, prefix, indent, depth);
                }

                builder.Append(']');
                break;
            case ObjectValue o:
                var entries = o.Sorted.ToArray()
                    .Select(static kv => (Key: kv.Key is StringValue ks ? ks.Value : kv.Key.ToString(), kv.Value))
                    .OrderBy(static kv => kv.Key, StringComparer.Ordinal)
                    .ToArray();
                builder.Append('{');
                for (var i = 0; i < entries.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    if (indent is not null)
                    {
                        NewLine(builder, prefix, indent, depth + 1);
                    }

                    JsonValueWriter.AppendQuoted(builder, entries[i].Key, htmlSafe: true);
                    builder.Append(indent is not null ? ": " : ":");
                    Write(builder, entries[i].Value, prefix, indent, depth + 1);
                }

                if (indent is not null && entries.Length > 0)
                {
                    NewLine(builder, prefix, indent, depth);
                }

                builder.Append('}');
                break;
        }
    }
}
