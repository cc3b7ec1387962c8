using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Values;

/// <summary>The tuned JSON reader (pooled buffers, string cache, direct integers) reads exactly what the text says.</summary>
public sealed class JsonValueReaderTests
{
    [Fact]
    public void FromJson_ManyDistinctShortStrings_EachReadExactly()
    {
        // Far more distinct strings than cache slots: collisions must never return another string.
        var items = Enumerable.Range(0, 5_000).Select(static i => $"\"k{i}\"");
        var array = (ArrayValue)Value.FromJson("[" + string.Join(',', items) + "]");

        Assert.Equal(5_000, array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            Assert.Equal($"k{i}", ((StringValue)array[i]).Value);
        }
    }

    [Fact]
    public void FromJson_EscapesLongStringsAndUnicode_Unescaped()
    {
        var long1 = new string('x', 200);
        var value = (ObjectValue)Value.FromJson($$"""{"a\"b": "\u00e9\n", "long": "{{long1}}", "emoji": "\ud83d\ude00", "esc": "{{new string('\\', 2)}}{{new string('y', 40)}}"}""");

        Assert.Equal("é\n", ((StringValue)value["a\"b"]!).Value);
        Assert.Equal(long1, ((StringValue)value["long"]!).Value);
        Assert.Equal("😀", ((StringValue)value["emoji"]!).Value);
        Assert.Equal("\\" + new string('y', 40), ((StringValue)value["esc"]!).Value);
    }

    [Fact]
    public void FromJson_Numbers_KeepRepresentation()
    {
        var array = (ArrayValue)Value.FromJson("[0, -0, 42, -9223372036854775808, 9223372036854775808, 1.0, 1e3, 2.5e-3, 0.1]");

        Assert.Equal(Value.From(0), array[0]);
        Assert.Equal(Value.From(0), array[1]);
        Assert.Equal(Value.From(42), array[2]);
        Assert.Equal(Value.From(long.MinValue), array[3]);
        Assert.Equal("9223372036854775808", array[4].ToJson());
        Assert.Equal("1.0", array[5].ToJson());
        Assert.Equal(Value.From(1000), array[6]);
        Assert.Equal("2.5e-3", array[7].ToJson());
        Assert.Equal("0.1", array[8].ToJson());
    }

    [Fact]
    public void FromJson_DuplicateKeysAndEmptyCollections_LastKeyWins()
    {
        var value = (ObjectValue)Value.FromJson("""{"a": 1, "a": 2, "o": {}, "l": [], "n": [[], [{}]]}""");

        Assert.Equal(Value.From(2), value["a"]);
        Assert.Equal(ObjectValue.Empty, value["o"]);
        Assert.Equal(ArrayValue.Empty, value["l"]);
        Assert.Equal("[[],[{}]]", value["n"]!.ToJson());
    }

    [Fact]
    public void FromJson_InvalidDocumentThenValid_SecondParsesCleanly()
    {
        Assert.Throws<ValueParseException>(() => Value.FromJson("""{"a": [1, 2"""));
        Assert.Throws<ValueParseException>(() => Value.FromJson(new string('[', 20_000) + new string(']', 20_000)));

        var value = Value.FromJson("""{"a": [1, 2], "b": {"c": "d"}}""");

        Assert.Equal("""{"a":[1,2],"b":{"c":"d"}}""", value.ToJson());
    }

    [Fact]
    public void FromJson_ParallelThreads_SameResults()
    {
        var failures = 0;
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            // Keys in sorted order, as ToJson writes them.
            var json = $$"""{"id":"u{{i % 97}}","n":{{i}},"tags":["t{{i % 7}}","x"],"type":"user"}""";
            if (Value.FromJson(json).ToJson() != json)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }
}
