using System.Text;
using System.Text.Json;

namespace Vigil.Policy.Values;

/// <summary>
/// Reads JSON into values without recursion, so hostile nesting depth ends in a clear error
/// rather than a stack overflow.
/// </summary>
internal static class JsonValueReader
{
    public const int DefaultMaxDepth = 10_000;

    public static Value Parse(string json, int maxDepth) => Parse(Encoding.UTF8.GetBytes(json), maxDepth);

    public static Value Parse(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            // The reader's own limit is int.MaxValue-safe; we enforce ours below with a clear message.
            MaxDepth = Math.Max(maxDepth + 1, 1),
            CommentHandling = JsonCommentHandling.Disallow,
        });

        var stack = new Stack<Frame>();
        Value? result = null;
        try
        {
            while (reader.Read())
            {
                Value? completed = null;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        CheckDepth(stack.Count, maxDepth);
                        stack.Push(new Frame(new Dictionary<Value, Value>()));
                        continue;
                    case JsonTokenType.StartArray:
                        CheckDepth(stack.Count, maxDepth);
                        stack.Push(new Frame(new List<Value>()));
                        continue;
                    case JsonTokenType.PropertyName:
                        stack.Peek().PendingKey = StringValue.Create(reader.GetString()!);
                        continue;
                    case JsonTokenType.EndObject:
                        completed = ObjectValue.Wrap(stack.Pop().Object!);
                        break;
                    case JsonTokenType.EndArray:
                        completed = ArrayValue.Wrap([.. stack.Pop().Array!]);
                        break;
                    case JsonTokenType.String:
                        completed = StringValue.Create(reader.GetString()!);
                        break;
                    case JsonTokenType.Number:
                        var text = Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan);
                        completed = NumberValue.Parse(text) ?? throw new ValueParseException($"invalid number '{text}'");
                        break;
                    case JsonTokenType.True:
                        completed = Value.True;
                        break;
                    case JsonTokenType.False:
                        completed = Value.False;
                        break;
                    case JsonTokenType.Null:
                        completed = Value.Null;
                        break;
                    default:
                        continue;
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
        catch (JsonException ex)
        {
            throw new ValueParseException($"invalid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }

        return result ?? throw new ValueParseException("invalid JSON: empty document");
    }

    private static void CheckDepth(int depth, int maxDepth)
    {
        if (depth >= maxDepth)
        {
            throw new ValueParseException($"JSON nesting exceeds the maximum depth of {maxDepth}");
        }
    }

    private sealed class Frame
    {
        public Frame(Dictionary<Value, Value> obj) => Object = obj;

        public Frame(List<Value> array) => Array = array;

        public Dictionary<Value, Value>? Object { get; }

        public List<Value>? Array { get; }

        public Value? PendingKey { get; set; }

        public void Add(Value value)
        {
            if (Object is not null)
            {
                Object[PendingKey!] = value;
                PendingKey = null;
            }
            else
            {
                Array!.Add(value);
            }
        }
    }
}
