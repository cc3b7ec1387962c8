using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Policy.Values;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// yaml.marshal, yaml.unmarshal, yaml.is_valid with the conventions OPA inherits from
/// sigs.k8s.io/yaml (YAML 1.1 scalars via go-yaml v2, sorted keys, "- " sequences flush with keys).
/// </summary>
internal static partial class Yaml
{
    /// <summary>Cap on nodes produced while resolving aliases (a "billion laughs" document must fail fast).</summary>
    private const int MaxNodes = 1_000_000;

    public static void Register(BuiltinTable table)
    {
        table.Add("yaml.marshal", [T.Any], T.String, static (_, a) => Value.From(Marshal(a[0])));
        table.Add("yaml.unmarshal", [T.String], T.Any, static (_, a) => Unmarshal(Args.String(a, 0)));
        table.Add("yaml.is_valid", [T.Any], T.Boolean, static (ctx, a) =>
        {
            if (a[0] is not StringValue s)
            {
                return Value.False;
            }

            try
            {
                Unmarshal(s.Value);
                return Value.True;
            }
            catch (BuiltinErrorException)
            {
                return Value.False;
            }
        });
    }

    public static Value Unmarshal(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = e.InnerException?.Message ?? e.Message;
            var index = message.IndexOf("did not find expected", StringComparison.Ordinal);
            var detail = index >= 0 ? message[index..].TrimEnd('.') : message.TrimEnd('.');
            var lines = text.TrimEnd('\n').Count(static c => c == '\n') + 1;
            throw new BuiltinErrorException($"yaml: line {Math.Clamp(e.Start.Line, 1, lines)}: {detail}", e);
        }

        if (stream.Documents.Count == 0)
        {
            return Value.Null;
        }

        var budget = MaxNodes;
        return Convert(stream.Documents[0].RootNode, ref budget, 0);
    }

    private static Value Convert(YamlNode node, ref int budget, int depth)
    {
        if (--budget < 0 || depth > 1_000)
        {
            throw new BuiltinErrorException("yaml: document too large or too deeply nested");
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                return Scalar(scalar);
            case YamlSequenceNode sequence:
                var items = new List<Value>(sequence.Children.Count);
                foreach (var child in sequence.Children)
                {
                    items.Add(Convert(child, ref budget, depth + 1));
                }

                return ArrayValue.Create(items);
            case YamlMappingNode mapping:
                var entries = new Dictionary<Value, Value>();
                foreach (var (key, value) in mapping.Children)
                {
                    var keyValue = Convert(key, ref budget, depth + 1);
                    var keyText = keyValue switch
                    {
                        StringValue s => s.Value,
                        NullValue => "null",
                        NumberValue n => n.ToNumberText(),
                        BooleanValue b => b.Value ? "true" : "false",
                        _ => throw new BuiltinErrorException("yaml: invalid map key: " + keyValue),
                    };
                    entries[Value.From(keyText)] = Convert(value, ref budget, depth + 1);
                }

                return ObjectValue.Wrap(entries);
            default:
                return Value.Null;
        }
    }

    private static Value Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        var tag = scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag.Length == 0 && scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded))
        {
            return Value.From(text);
        }

        return Resolve(text) ?? Value.From(text);
    }

    /// <summary>go-yaml v2's resolution of a plain scalar (YAML 1.1); null when it stays a string.</summary>
    private static Value? Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return Value.Null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return Value.True;
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return Value.False;
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (IntPattern().IsMatch(plain))
        {
            var negative = plain[0] == '-';
            var body = plain.TrimStart('+', '-');
            BigInteger value;
            if (body.StartsWith("0x", StringComparison.Ordinal))
            {
                value = BigInteger.Parse("0" + body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            }
            else if (body.StartsWith("0b", StringComparison.Ordinal))
            {
                value = body[2..].Aggregate(BigInteger.Zero, static (acc, c) => (acc * 2) + (c - '0'));
            }
            else if (body.Length > 1 && body[0] == '0')
            {
                var octal = body.StartsWith("0o", StringComparison.Ordinal) ? body[2..] : body[1..];
                if (octal.Any(static c => c is '8' or '9'))
                {
                    return null;
                }

                value = octal.Aggregate(BigInteger.Zero, static (acc, c) => (acc * 8) + (c - '0'));
            }
            else
            {
                value = BigInteger.Parse(body, CultureInfo.InvariantCulture);
            }

            return NumberValue.Create(negative ? -value : value);
        }

        if (FloatPattern().IsMatch(plain))
        {
            var d = double.Parse(plain, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(d) ? NumberValue.Parse(GoFloat.FormatG(Math.Abs(d), -1) is var g && d < 0 ? "-" + g : g) ?? NumberValue.Create(d) : null;
        }

        return null;
    }

    [GeneratedRegex(@"^[-+]?(0b[01]+|0x[0-9a-fA-F]+|0o?[0-7]+|[0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    public static string Marshal(Value value)
    {
        var builder = new StringBuilder();
        switch (value)
        {
            case ArrayValue or SetValue when Items(value).Count > 0:
            case ObjectValue { Count: > 0 }:
                WriteBlock(builder, value, 0);
                break;
            default:
                builder.Append(Inline(value)).Append('\n');
                break;
        }

        return builder.ToString();
    }

    private static List<Value> Items(Value value) => value is ArrayValue a ? [.. a] : [.. ((SetValue)value).Sorted.ToArray()];

    private static bool IsBlock(Value value) => value switch
    {
        ArrayValue or SetValue => Items(value).Count > 0,
        ObjectValue o => o.Count > 0,
        _ => false,
    };

    private static void WriteBlock(StringBuilder builder, Value value, int indent)
    {
        var pad = new string(' ', indent);
        if (value is ObjectValue o)
        {
            foreach (var (key, item) in o.Sorted.ToArray()
                .Select(static kv => (Key: kv.Key is StringValue s ? s.Value : kv.Key.ToString(), kv.Value))
                .OrderBy(static kv => kv.Key, StringComparer.Ordinal))
            {
                builder.Append(pad).Append(QuoteString(key)).Append(':');
                if (IsBlock(item))
                {
                    builder.Append('\n');
                    // Sequences under a key are written flush with it, as go-yaml does.
                    WriteBlock(builder, item, item is ObjectValue ? indent + 2 : indent);
                }
                else
                {
                    builder.Append(' ');
                    AppendInline(builder, item, indent);
                    builder.Append('\n');
                }
            }

            return;
        }

        foreach (var item in Items(value))
        {
            builder.Append(pad).Append('-');
            if (IsBlock(item))
            {
                // The first line of a nested block continues after "- ".
                var nested = new StringBuilder();
                WriteBlock(nested, item, indent + 2);
                builder.Append(' ').Append(nested.ToString(indent + 2, nested.Length - indent - 2));
            }
            else
            {
                builder.Append(' ');
                AppendInline(builder, item, indent);
                builder.Append('\n');
            }
        }
    }

    private static void AppendInline(StringBuilder builder, Value value, int indent)
    {
        if (value is StringValue s && s.Value.Contains('\n', StringComparison.Ordinal))
        {
            builder.Append(s.Value.EndsWith('\n') ? "|" : "|-");
            var pad = new string(' ', indent + 2);
            var lines = s.Value.EndsWith('\n') ? s.Value[..^1].Split('\n') : s.Value.Split('\n');
            foreach (var line in lines)
            {
                builder.Append('\n');
                if (line.Length > 0)
                {
                    builder.Append(pad).Append(line);
                }
            }

            return;
        }

        builder.Append(Inline(value));
    }

    private static string Inline(Value value) => value switch
    {
        NullValue => "null",
        BooleanValue b => b.Value ? "true" : "false",
        NumberValue n => n.TryGetExactInteger(out var i) ? i.ToString(CultureInfo.InvariantCulture) : FormatFloat(n.ToDouble()),
        StringValue s => QuoteString(s.Value),
        ArrayValue or SetValue => "[]",
        ObjectValue => "{}",
        _ => value.ToString(),
    };

    private static string FormatFloat(double d) => (d < 0 ? "-" : string.Empty) + GoFloat.FormatG(Math.Abs(d), -1);

    private static string QuoteString(string s)
    {
        if (s.Length == 0)
        {
            return "\"\"";
        }

        if (Resolve(s) is not null)
        {
            return GoQuoteYaml(s);
        }

        if (!IsPlainSafe(s))
        {
            return "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        return s;
    }

    private static bool IsPlainSafe(string s)
    {
        if (s[0] is ' ' || s[^1] is ' ' || "-?:,[]{}#&*!|>'\"%@`".Contains(s[0], StringComparison.Ordinal))
        {
            return s[0] is '-' or '?' or ':' && s.Length > 1 && s[1] != ' ' && !s.Contains(": ", StringComparison.Ordinal) && !s.Contains(" #", StringComparison.Ordinal) && s[^1] != ' ' && s[^1] != ':';
        }

        if (s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal) || s[^1] == ':')
        {
            return false;
        }

        return s.All(static c => c >= ' ' && c != '\u007f');
    }

    private static string GoQuoteYaml(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
