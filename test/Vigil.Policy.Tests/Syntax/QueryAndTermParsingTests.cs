using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Syntax;

public sealed class QueryAndTermParsingTests
{
    private static string Query(string text) => RegoParser.ParseQuery(text).ToString();

    [Theory]
    [InlineData("x := 1 + 2 * 3 - 4 / 2 % 3", "x := ((1 + (2 * 3)) - ((4 / 2) % 3))")]
    [InlineData("a | b & c == d", "(a | (b & c)) == d")]
    [InlineData("a == b == c", "(a == b) == c")]
    [InlineData("a < b; c <= d; e > f; g >= h; i != j", "a < b; c <= d; e > f; g >= h; i != j")]
    [InlineData("x := 1 in [1]", "x := (1 in [1])")]
    [InlineData("k, v in {\"a\": 1}", "k, v in {\"a\": 1}")]
    [InlineData("x = (1 + 2) * 3", "x = ((1 + 2) * 3)")]
    [InlineData("x := -1 - -2", "x := (-1 - -2)")]
    [InlineData("x := 3-1", "x := (3 - 1)")]
    public void ParseQuery_Operators_FollowOpaPrecedence(string text, string expected) => Assert.Equal(expected, Query(text));

    [Fact]
    public void ParseQuery_Operators_MapToBuiltinNames()
    {
        var names = RegoParser.ParseQuery("a = 1; b := 2; c == 3; d != 4; e < 5; f <= 6; g > 7; h >= 8; i + 1; j - 1; k * 1; l / 1; m % 1; n & o; p | q; r in s; t, u in v")
            .Exprs.Select(e => ((Call)e.Terms).Name);
        Assert.Equal(
            ["eq", "assign", "equal", "neq", "lt", "lte", "gt", "gte", "plus", "minus", "mul", "div", "rem", "and", "or", "internal.member_2", "internal.member_3"],
            names);
    }

    [Fact]
    public void ParseQuery_NewlinesAndSemicolons_SeparateExpressions()
    {
        var body = RegoParser.ParseQuery("x := [1,\n  2,\n  3]\ny := x[0]; z := count(\n  x\n)\n");
        Assert.Equal(3, body.Count);
        Assert.Equal([0, 1, 2], body.Exprs.Select(e => e.Index));
        Assert.Equal("z := count(x)", body[2].ToString());
    }

    [Fact]
    public void ParseQuery_RefsAndCalls_BuildRefTermsAndCallTerms()
    {
        var body = RegoParser.ParseQuery("data.a.b[\"c d\"][x].e; f(x).y[0]; x := time.now_ns(); contains(\"abc\", \"b\")");
        var r = Assert.IsType<Ref>(body[0].Terms);
        Assert.Equal("data", Assert.IsType<Var>(r.Head).Name);
        Assert.Equal(5, r.Path.Count);
        Assert.Equal("\"c d\"", r.Path[2].ToString());
        Assert.IsType<Var>(r.Path[3]);
        var callRef = Assert.IsType<Ref>(body[1].Terms);
        Assert.Equal("f", Assert.IsType<Call>(callRef.Head).Name);
        var assign = Assert.IsType<Call>(body[2].Terms);
        Assert.Equal("time.now_ns", Assert.IsType<Call>(assign.Args[1]).Name);
        Assert.Equal("contains", Assert.IsType<Call>(body[3].Terms).Name);
    }

    [Fact]
    public void ParseQuery_WhitespaceBeforeBracket_EndsTheRef()
    {
        // As in OPA, `input [0]` is the ref `input` followed by a separate expression `[0]`.
        var body = RegoParser.ParseQuery("x := input [0]");
        Assert.Equal(2, body.Count);
        Assert.Equal("x := input", body[0].ToString());
        Assert.Equal("input[0]", RegoParser.ParseQuery("x := input[0]")[0].ToString()[5..]);
    }

    [Fact]
    public void ParseQuery_InputAndData_AreRefs()
    {
        var body = RegoParser.ParseQuery("input; data");
        Assert.All(body.Exprs, e => Assert.Empty(Assert.IsType<Ref>(e.Terms).Path));
    }

    [Fact]
    public void ParseQuery_SomeForms_AreDeclarations()
    {
        var body = RegoParser.ParseQuery("some x, y; some v in xs; some k, v in xs; some [a, b] in pairs");
        var plain = Assert.IsType<SomeDecl>(body[0].Terms);
        Assert.False(plain.IsIn);
        Assert.Equal(["x", "y"], plain.Vars.Select(v => v.Name));
        var one = Assert.IsType<SomeDecl>(body[1].Terms);
        Assert.True(one.IsIn);
        Assert.Null(one.Key);
        Assert.Equal("v", one.Value!.ToString());
        Assert.Equal("xs", one.Domain!.ToString());
        var two = Assert.IsType<SomeDecl>(body[2].Terms);
        Assert.Equal("k", two.Key!.ToString());
        Assert.IsType<ArrayTerm>(Assert.IsType<SomeDecl>(body[3].Terms).Value);
    }

    [Fact]
    public void ParseQuery_Every_HasKeyValueDomainAndBody()
    {
        var every = Assert.IsType<Every>(RegoParser.ParseQuery("every k, v in input.m { k != v; v > 0 }")[0].Terms);
        Assert.Equal("k", every.Key!.ToString());
        Assert.Equal("v", every.Value.ToString());
        Assert.Equal("input.m", every.Domain.ToString());
        Assert.Equal(2, every.Body.Count);
    }

    [Fact]
    public void ParseQuery_NotAndWithChains_AreOnTheExpression()
    {
        var expr = RegoParser.ParseQuery("not data.p with input.user as \"bob\" with data.q as {1, 2} with time.now_ns as mock")[0];
        Assert.True(expr.Negated);
        Assert.Equal(3, expr.With.Count);
        Assert.Equal("input.user", expr.With[0].Target.ToString());
        Assert.Equal("{1, 2}", expr.With[1].Value.ToString());
        Assert.Equal("time.now_ns", expr.With[2].Target.DottedName);
    }

    [Theory]
    [InlineData("[x | x := input[_]]", typeof(ArrayComprehension))]
    [InlineData("{x | x := input[_]}", typeof(SetComprehension))]
    [InlineData("{k: v | some k, v in input}", typeof(ObjectComprehension))]
    [InlineData("{a | b}", typeof(SetComprehension))]
    [InlineData("[a | b, c]", typeof(ArrayTerm))]
    [InlineData("{1, 2}", typeof(SetTerm))]
    [InlineData("set()", typeof(SetTerm))]
    [InlineData("{}", typeof(ObjectTerm))]
    [InlineData("{\"a\": 1, 2: [3]}", typeof(ObjectTerm))]
    [InlineData("$\"x{1}\"", typeof(TemplateString))]
    public void ParseTerm_Collections_AreRecognised(string text, Type type) => Assert.IsType(type, RegoParser.ParseTerm(text));

    [Fact]
    public void ParseTerm_MultiLineComprehension_Parses()
    {
        var c = Assert.IsType<ObjectComprehension>(RegoParser.ParseTerm("{k: v |\n  some k, v in input\n  v > 1\n}"));
        Assert.Equal(2, c.Body.Count);
    }

    [Theory]
    [InlineData("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t")]
    [InlineData("\"\\u00e9\\u4e2d\"", "é中")]
    [InlineData("\"\\ud83d\\ude00\"", "😀")]
    [InlineData("\"\\ud83d\"", "\uFFFD")]
    [InlineData("`raw \\n \"q\"`", "raw \\n \"q\"")]
    [InlineData("`multi\nline`", "multi\nline")]
    [InlineData("\"ünïcödé 😀\"", "ünïcödé 😀")]
    public void ParseValue_Strings_DecodeEscapes(string text, string expected) =>
        Assert.Equal(expected, Assert.IsType<StringValue>(RegoParser.ParseValue(text)).Value);

    [Theory]
    [InlineData("1.50", "1.50")]
    [InlineData("-0.5", "-0.5")]
    [InlineData(".5", "0.5")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("1e3", "1000")]
    [InlineData("0", "0")]
    [InlineData("-7", "-7")]
    public void ParseValue_Numbers_KeepLiteralPrecision(string text, string json) => Assert.Equal(json, RegoParser.ParseValue(text).ToJson());

    [Fact]
    public void ParseValue_InputTermStyle_BuildsSetsAndNonStringKeys()
    {
        var value = Assert.IsType<ObjectValue>(RegoParser.ParseValue("{\"s\": {1, 2, 2}, \"e\": set(), 1: [null, true, false], [1]: {\"x\"}}"));
        Assert.Equal(SetValue.Create(Value.From(1), Value.From(2)), value["s"]);
        Assert.Equal(SetValue.Empty, value["e"]);
        Assert.Equal(ArrayValue.Create(Value.Null, Value.True, Value.False), value[Value.From(1)]);
        Assert.Equal(SetValue.Create(Value.From("x")), value[ArrayValue.Create(Value.From(1))]);
    }

    [Theory]
    [InlineData("x", "var x")]
    [InlineData("[1, input.y]", "ref input.y")]
    [InlineData("{1: f(x)}", "call f(x)")]
    public void ParseValue_NonGroundTerm_FailsWithParseError(string text, string found)
    {
        var error = Assert.Single(Assert.Throws<PolicyCompileException>(() => RegoParser.ParseValue(text)).Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.EndsWith(found, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1 2")]
    [InlineData("1 + 2")]
    [InlineData("[1,")]
    [InlineData("01")]
    [InlineData("1e999999")]
    public void ParseValue_InvalidText_FailsWithParseError(string text)
    {
        var e = Assert.Throws<PolicyCompileException>(() => RegoParser.ParseValue(text));
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorCodes.ParseError, x.Code));
    }
}
