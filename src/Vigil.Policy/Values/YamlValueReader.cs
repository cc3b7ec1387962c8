using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Vigil.Policy.Values;

/// <summary>
/// Reads YAML (core schema: null, booleans, numbers, strings) into values, iteratively so that
/// deep nesting is an error, not a stack overflow. Anchors/aliases are resolved; errors carry line and column.
/// </summary>
internal static class YamlValueReader
{
    public static Value Parse(string yaml, int maxDepth = JsonValueReader.DefaultMaxDepth)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, Value>(StringComparer.Ordinal);
        var stack = new Stack<Frame>();
        Value? result = null;
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                return Value.Null;
            }

            parser.Consume<DocumentStart>();
            while (!parser.Accept<DocumentEnd>(out _))
            {
                var node = parser.Consume<ParsingEvent>();
                Value? completed = null;
                string? anchor = null;
                switch (node)
                {
                    case MappingStart start:
                        if (stack.Count >= maxDepth)
                        {
                            throw new ValueParseException($"YAML nesting exceeds the maximum depth of {maxDepth} (line {start.Start.Line})");
                        }

                        stack.Push(new Frame(new Dictionary<Value, Value>(), start.Anchor.IsEmpty ? null : start.Anchor.Value));
                        continue;
                    case SequenceStart start:
                        if (stack.Count >= maxDepth)
                        {
                            throw new ValueParseException($"YAML nesting exceeds the maximum depth of {maxDepth} (line {start.Start.Line})");
                        }

                        stack.Push(new Frame(new List<Value>(), start.Anchor.IsEmpty ? null : start.Anchor.Value));
                        continue;
                    case MappingEnd:
                        var mapping = stack.Pop();
                        if (mapping.PendingKey is not null)
                        {
                            throw new ValueParseException("YAML mapping has a key without a value");
                        }

                        completed = ObjectValue.Wrap(mapping.Object!);
                        anchor = mapping.Anchor;
                        break;
                    case SequenceEnd:
                        var sequence = stack.Pop();
                        completed = ArrayValue.Wrap([.. sequence.Array!]);
                        anchor = sequence.Anchor;
                        break;
                    case Scalar scalar:
                        completed = ConvertScalar(scalar);
                        anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                        break;
                    case AnchorAlias alias:
                        completed = anchors.TryGetValue(alias.Value.Value, out var aliased)
                            ? aliased
                            : throw new ValueParseException($"YAML alias *{alias.Value.Value} is not defined (line {alias.Start.Line})");
                        break;
                    default:
                        continue;
                }

                if (anchor is not null)
                {
                    anchors[anchor] = completed;
                }

                if (stack.Count == 0)
                {
                    result = completed;
                }
                else
                {
                    stack.Peek().Add(completed);
                }
            }
        }
        catch (YamlException ex)
        {
            throw new ValueParseException($"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        return result ?? Value.Null;
    }

    private static Value ConvertScalar(Scalar scalar)
    {
        var text = scalar.Value;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return StringValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return Value.Null;
            case "true" or "True" or "TRUE":
                return Value.True;
            case "false" or "False" or "FALSE":
                return Value.False;
        }

        if (LooksNumeric(text) && NumberValue.Parse(text) is { } number)
        {
            return number;
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return NumberValue.Create(hex);
        }

        return StringValue.Create(text);
    }

    private static bool LooksNumeric(string text)
    {
        var span = text.AsSpan();
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            span = span[1..];
        }

        return span.Length > 0 && (char.IsAsciiDigit(span[0]) || (span[0] == '.' && span.Length > 1 && char.IsAsciiDigit(span[1])))
            && !span.ContainsAnyExcept("0123456789.eE+-");
    }

    private sealed class Frame
    {
        public Frame(Dictionary<Value, Value> obj, string? anchor)
        {
            Object = obj;
            Anchor = anchor;
        }

        public Frame(List<Value> array, string? anchor)
        {
            Array = array;
            Anchor = anchor;
        }

        public Dictionary<Value, Value>? Object { get; }

        public List<Value>? Array { get; }

        public string? Anchor { get; }

        public Value? PendingKey { get; private set; }

        public void Add(Value value)
        {
            if (Object is null)
            {
                Array!.Add(value);
            }
            else if (PendingKey is null)
            {
                PendingKey = value;
            }
            else
            {
                Object[PendingKey] = value;
                PendingKey = null;
            }
        }
    }
}
