using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Vigil.Policy.Values;

/// <summary>
/// Reads JSON into values without recursion, so hostile nesting depth ends in a clear error
/// rather than a stack overflow. Tuned for small request documents: the text is transcoded into a pooled
/// buffer, pending values live on one reusable stack (collections are built at their exact size when they close),
/// integers are read without an intermediate string, and short strings (keys such as <c>"type"</c>, values such as
/// <c>"user"</c>) come from a small per-thread cache of immutable <see cref="StringValue"/>s.
/// </summary>
internal static class JsonValueReader
{
    public const int DefaultMaxDepth = 10_000;

    /// <summary>Strings up to this many characters go through the cache.</summary>
    private const int CachedStringLength = 32;

    /// <summary>Slots of the per-thread string cache (a power of two; direct-mapped, a collision replaces).</summary>
    private const int StringCacheSize = 512;

    [ThreadStatic]
    private static ParseState? t_state;

    public static Value Parse(string json, int maxDepth)
    {
        var length = Encoding.UTF8.GetMaxByteCount(json.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(json, buffer);
            return Parse(buffer.AsSpan(0, written), maxDepth);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static Value Parse(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            // The reader's own limit is int.MaxValue-safe; we enforce ours below with a clear message.
            MaxDepth = Math.Max(maxDepth + 1, 1),
            CommentHandling = JsonCommentHandling.Disallow,
        });

        // A nested parse on the same thread (not expected, but harmless) gets its own state.
        var state = t_state ?? new ParseState();
        t_state = null;
        try
        {
            var result = Read(ref reader, state, maxDepth);
            state.Clear();
            t_state = state;
            return result;
        }
        catch (JsonException ex)
        {
            throw new ValueParseException($"invalid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}", ex);
        }
    }

    private static Value Read(ref Utf8JsonReader reader, ParseState state, int maxDepth)
    {
        // Values (and object keys) waiting for their collection to close; each open collection remembers where its entries start.
        var values = state.Values;
        var open = state.Open;
        Value? result = null;
        while (reader.Read())
        {
            Value completed;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    CheckDepth(open.Count, maxDepth);
                    open.Push(values.Count);
                    continue;
                case JsonTokenType.PropertyName:
                    values.Add(ReadString(ref reader, state));
                    continue;
                case JsonTokenType.EndObject:
                    {
                        var start = open.Pop();
                        var count = (values.Count - start) / 2;
                        if (count == 0)
                        {
                            completed = ObjectValue.Empty;
                            break;
                        }

                        var items = new Dictionary<Value, Value>(count);
                        for (var i = start; i < values.Count; i += 2)
                        {
                            items[values[i]] = values[i + 1];
                        }

                        values.RemoveRange(start, values.Count - start);
                        completed = ObjectValue.Wrap(items);
                        break;
                    }

                case JsonTokenType.EndArray:
                    {
                        var start = open.Pop();
                        var count = values.Count - start;
                        if (count == 0)
                        {
                            completed = ArrayValue.Empty;
                            break;
                        }

                        var items = new Value[count];
                        values.CopyTo(start, items, 0, count);
                        values.RemoveRange(start, count);
                        completed = ArrayValue.Wrap(items);
                        break;
                    }

                case JsonTokenType.String:
                    completed = ReadString(ref reader, state);
                    break;
                case JsonTokenType.Number:
                    completed = ReadNumber(ref reader);
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

            if (open.Count == 0)
            {
                result = completed;
            }
            else
            {
                values.Add(completed);
            }
        }

        return result ?? throw new ValueParseException("invalid JSON: empty document");
    }

    private static NumberValue ReadNumber(ref Utf8JsonReader reader)
    {
        // Plain integers (no fraction or exponent) in range: no text needed. Everything else keeps its literal text.
        if (!reader.HasValueSequence && reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out var integer))
        {
            return NumberValue.Create(integer);
        }

        var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        return NumberValue.Parse(text) ?? throw new ValueParseException($"invalid number '{text}'");
    }

    private static StringValue ReadString(ref Utf8JsonReader reader, ParseState state)
    {
        var byteLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (byteLength > CachedStringLength * 3)
        {
            return StringValue.Create(reader.GetString()!);
        }

        // Unescaped text is never longer (in UTF-16 units) than its escaped UTF-8 form.
        Span<char> chars = stackalloc char[CachedStringLength * 3];
        var length = reader.CopyString(chars);
        var text = chars[..length];
        if (length > CachedStringLength)
        {
            return StringValue.Create(text.ToString());
        }

        var slot = string.GetHashCode(text) & (StringCacheSize - 1);
        var cache = state.Strings;
        if (cache[slot] is { } cached && text.SequenceEqual(cached.Value))
        {
            return cached;
        }

        var value = StringValue.Create(text.ToString());
        cache[slot] = value;
        return value;
    }

    private static void CheckDepth(int depth, int maxDepth)
    {
        if (depth >= maxDepth)
        {
            throw new ValueParseException($"JSON nesting exceeds the maximum depth of {maxDepth}");
        }
    }

    /// <summary>Per-thread scratch state of the reader, reused between documents.</summary>
    private sealed class ParseState
    {
        public List<Value> Values { get; } = new(32);

        public Stack<int> Open { get; } = new(8);

        public StringValue?[] Strings { get; } = new StringValue?[StringCacheSize];

        public void Clear()
        {
            Values.Clear();
            Open.Clear();

            // A document that was huge should not pin its buffers on the thread.
            if (Values.Capacity > 4096)
            {
                Values.Capacity = 32;
            }

            if (Open.Count == 0 && Open.EnsureCapacity(0) > 4096)
            {
                Open.TrimExcess();
            }
        }
    }
}
