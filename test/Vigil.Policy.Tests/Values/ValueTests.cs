using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Values;

public sealed class ValueTests
{
    [Fact]
    public void Equals_IntegerAndWholeFloat_AreEqualWithSameHash()
    {
        var one = NumberValue.Parse("1")!;
        var oneFloat = NumberValue.Parse("1.0")!;
        Assert.Equal(one, oneFloat);
        Assert.Equal(one.GetHashCode(), oneFloat.GetHashCode());
    }

    [Fact]
    public void CompareTo_DifferentKinds_FollowsOpaOrder()
    {
        Value[] ordered =
        [
            Value.Null, Value.False, Value.True, Value.From(-1), Value.From(2.5), Value.From("a"),
            ArrayValue.Create(Value.From(1)), ObjectValue.Empty, SetValue.Empty,
        ];
        var shuffled = ordered.Reverse().ToArray();
        Array.Sort(shuffled);
        Assert.Equal(ordered, shuffled);
    }

    [Fact]
    public void FromJson_RoundTripsBigIntegersAndFloatText()
    {
        var value = Value.FromJson("""{"big": 123456789012345678901234567890, "f": 1.50, "s": [true, null]}""");
        Assert.Equal("""{"big":123456789012345678901234567890,"f":1.50,"s":[true,null]}""", value.ToJson());
    }

    [Fact]
    public void FromJson_HostileNesting_FailsWithClearError()
    {
        var json = new string('[', 100_000) + new string(']', 100_000);
        var error = Assert.Throws<ValueParseException>(() => Value.FromJson(json));
        Assert.Contains("maximum depth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_Set_PrintsSortedRegoText()
    {
        var set = SetValue.Create(Value.From(2), Value.From(1), Value.From("x"));
        Assert.Equal("{1, 2, \"x\"}", set.ToString());
        Assert.Equal("set()", SetValue.Empty.ToString());
    }

    [Fact]
    public void Object_LookupByEqualKeys_FindsValue()
    {
        var obj = (ObjectValue)Value.FromJson("""{"a": {"b": [1, 2]}}""");
        Assert.Equal(Value.FromJson("[1,2]"), ((ObjectValue)obj["a"]!)["b"]);
    }

    [Fact]
    public void CompareTo_Strings_OrderByCodePointLikeOpa()
    {
        // U+1F600 (a surrogate pair in UTF-16) sorts after U+FF21 by code point, though not by UTF-16 unit.
        var emoji = Value.From("\U0001F600");
        var fullwidth = Value.From("\uFF21");
        Assert.True(emoji.CompareTo(fullwidth) > 0);
        Assert.True(Value.From("a").CompareTo(Value.From("ab")) < 0);
        Assert.True(Value.From("b").CompareTo(Value.From("ab")) > 0);
        Assert.Equal(0, Value.From("x\U0001F600").CompareTo(Value.From("x\U0001F600")));
    }
}
