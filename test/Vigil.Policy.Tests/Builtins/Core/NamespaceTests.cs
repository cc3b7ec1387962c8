using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Core.BuiltinCall;

namespace Vigil.Policy.Tests.Builtins.Core;

public sealed class NamespaceTests
{
    [Theory]
    [InlineData("count", "\"héllo\"", "5")]
    [InlineData("sum", "[1, 2, 3.5]", "6.5")]
    [InlineData("sum", "[18446744073709551615, 1]", "18446744073709551616")]
    [InlineData("product", "[2, 3, 4]", "24")]
    [InlineData("max", "[1, \"a\", null]", "\"a\"")]
    [InlineData("max", "[]", "undefined")]
    [InlineData("min", "[3, 1, 2]", "1")]
    [InlineData("sort", "[3, \"a\", 1, null]", "[null, 1, 3, \"a\"]")]
    [InlineData("array.flatten", "[[1, 2], 3, [[4]]]", "[1, 2, 3, [4]]")]
    [InlineData("array.reverse", "[1, 2, 3]", "[3, 2, 1]")]
    [InlineData("object.keys", "{\"a\": 1, \"b\": 2}", "{\"a\", \"b\"}")]
    [InlineData("strings.reverse", "\"abc€\"", "\"€cba\"")]
    [InlineData("trim_space", "\"  a b \\t\\n\"", "\"a b\"")]
    [InlineData("upper", "\"abc\"", "\"ABC\"")]
    [InlineData("units.parse", "\"1.1Ki\"", "1126.4000000000")]
    [InlineData("units.parse", "\"10Ei\"", "11529215046068469760")]
    [InlineData("units.parse", "\"-3.5E2m\"", "-0.3500000000")]
    [InlineData("units.parse", "\"0.0000005M\"", "0.5000000000")]
    [InlineData("units.parse", "\"5E\"", "5000000000000000000")]
    [InlineData("units.parse", "\"1e-2\"", "0.0100000000")]
    [InlineData("units.parse_bytes", "\"1.1KiB\"", "1126")]
    [InlineData("units.parse_bytes", "\"\\\"10KB\\\"\"", "10000")]
    [InlineData("base64.encode", "\"hello\"", "\"aGVsbG8=\"")]
    [InlineData("base64.decode", "\"aGVsbG8=\"", "\"hello\"")]
    [InlineData("base64url.encode_no_pad", "\"hello??\"", "\"aGVsbG8_Pw\"")]
    [InlineData("base64url.decode", "\"aGVsbG8_Pw\"", "\"hello??\"")]
    [InlineData("hex.encode", "\"lorem\"", "\"6c6f72656d\"")]
    [InlineData("hex.decode", "\"6c6f72656d\"", "\"lorem\"")]
    [InlineData("urlquery.encode", "\"a b&c=d/é\"", "\"a+b%26c%3Dd%2F%C3%A9\"")]
    [InlineData("urlquery.decode", "\"a+b%26c\"", "\"a b&c\"")]
    [InlineData("urlquery.encode_object", "{\"b\": [\"x\", \"y\"], \"a\": \"1 2\"}", "\"a=1+2&b=x&b=y\"")]
    [InlineData("urlquery.decode_object", "\"a=1&b=x&b=y\"", "{\"a\": [\"1\"], \"b\": [\"x\", \"y\"]}")]
    [InlineData("json.marshal", "{\"b\": [1, 2.5, \"<x>\"], \"a\": null}", "\"{\\\"a\\\":null,\\\"b\\\":[1,2.5,\\\"\\\\u003cx\\\\u003e\\\"]}\"")]
    [InlineData("json.unmarshal", "\"{\\\"a\\\": [1, true]}\"", "{\"a\": [1, true]}")]
    [InlineData("json.is_valid", "\"{\"", "false")]
    [InlineData("semver.is_valid", "\"1.2.3-rc.1+build\"", "true")]
    [InlineData("semver.is_valid", "\"v1.2.3\"", "false")]
    [InlineData("uuid.parse", "\"{00000000-0000-4000-8000-000000000000}\"", "{\"variant\": \"RFC4122\", \"version\": 4}")]
    [InlineData("uuid.parse", "\"000003e8-48b9-21ee-b200-325096b39f47\"", "{\"clocksequence\": 12800, \"domain\": \"Person\", \"id\": 1000, \"macvariables\": \"local:unicast\", \"nodeid\": \"32-50-96-b3-9f-47\", \"time\": 1693566990121469600, \"variant\": \"RFC4122\", \"version\": 2}")]
    [InlineData("uuid.parse", "\"nope\"", "undefined")]
    [InlineData("regex.is_valid", "\"(?=x)\"", "false")]
    [InlineData("regex.is_valid", "\"^[a-z]+$\"", "true")]
    [InlineData("to_number", "\"-42.0\"", "-42.0")]
    [InlineData("to_number", "true", "1")]
    [InlineData("type_name", "[1]", "\"array\"")]
    [InlineData("is_number", "\"1\"", "false")]
    [InlineData("yaml.unmarshal", "\"foo:\\n  - qux: bar\\n  - baz: 2\\nk: on\\nn1: ~\\no: 0755\\nf: 1.5\\ns: '1'\"", "{\"f\": 1.5, \"foo\": [{\"qux\": \"bar\"}, {\"baz\": 2}], \"k\": true, \"n1\": null, \"o\": 493, \"s\": \"1\"}")]
    [InlineData("yaml.marshal", "[{\"foo\": [1, 2, 3]}]", "\"- foo:\\n  - 1\\n  - 2\\n  - 3\\n\"")]
    [InlineData("yaml.marshal", "{\"a\": {\"b\": \"true\", \"c\": [\"x\"]}, \"d\": \"\"}", "\"a:\\n  b: \\\"true\\\"\\n  c:\\n  - x\\nd: \\\"\\\"\\n\"")]
    [InlineData("yaml.is_valid", "\"foo: {\"", "false")]
    public void Unary_MatchesOpa(string name, string arg, string expected) =>
        Assert.Equal(expected, Json(name, arg));

    [Theory]
    [InlineData("concat", "\", \"", "[\"a\", \"b\"]", "\"a, b\"")]
    [InlineData("indexof", "\"héllo\"", "\"l\"", "2")]
    [InlineData("indexof_n", "\"aaa\"", "\"aa\"", "[0, 1]")]
    [InlineData("split", "\"a.b.c\"", "\".\"", "[\"a\", \"b\", \"c\"]")]
    [InlineData("split", "\"abc\"", "\"\"", "[\"a\", \"b\", \"c\"]")]
    [InlineData("trim", "\"xxhixx\"", "\"x\"", "\"hi\"")]
    [InlineData("trim_left", "\"xxhixx\"", "\"x\"", "\"hixx\"")]
    [InlineData("trim_suffix", "\"hi.txt\"", "\".txt\"", "\"hi\"")]
    [InlineData("strings.count", "\"cheese\"", "\"e\"", "3")]
    [InlineData("strings.count", "\"five\"", "\"\"", "5")]
    [InlineData("format_int", "255", "16", "\"ff\"")]
    [InlineData("format_int", "-5.9", "2", "\"-101\"")]
        [InlineData("object.union", "{\"a\": {\"b\": 1, \"c\": 2}}", "{\"a\": {\"b\": 3}}", "{\"a\": {\"b\": 3, \"c\": 2}}")]
    [InlineData("object.remove", "{\"a\": 1, \"b\": 2}", "[\"a\"]", "{\"b\": 2}")]
    [InlineData("object.filter", "{\"a\": 1, \"b\": 2}", "{\"a\": 0}", "{\"a\": 1}")]
    [InlineData("object.subset", "{\"a\": {\"b\": 1, \"c\": 2}, \"d\": [1, 2, 3]}", "{\"a\": {\"b\": 1}, \"d\": [2, 3]}", "true")]
    [InlineData("object.subset", "[1, 2, 3]", "[1, 3]", "false")]
    [InlineData("regex.match", "\"^a+$\"", "\"aaa\"", "true")]
    [InlineData("regex.match", "\"^a+$\"", "\"aaa\\n\"", "false")]
    [InlineData("regex.match", "\"^\\\\Qa.b*\\\\E$\"", "\"a.b*\"", "true")]
    [InlineData("regex.match", "\"^\\\\pL+$\"", "\"héllo\"", "true")]
    [InlineData("regex.match", "\"^[[:alpha:]]+$\"", "\"abc\"", "true")]
    [InlineData("regex.match", "\"(?P<word>\\\\w+)\"", "\"abc\"", "true")]
    [InlineData("regex.split", "\"a\"", "\"banana\"", "[\"b\", \"n\", \"n\", \"\"]")]
    [InlineData("regex.globs_match", "\"a.a.[0-9]+z\"", "\".b.b2359825792*594823z\"", "true")]
    [InlineData("regex.globs_match", "\"[a-z]+\"", "\"[0-9]*\"", "false")]
    [InlineData("regex.globs_match", "\"[a-z]+\\\\[[0-9]+\\\\]\"", "\"foo\\\\[1\\\\]\"", "true")]
    [InlineData("semver.compare", "\"1.0.0-alpha\"", "\"1.0.0\"", "-1")]
    [InlineData("semver.compare", "\"1.0.0-alpha.10\"", "\"1.0.0-alpha.9\"", "1")]
    [InlineData("json.filter", "{\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": 9}", "[\"a/b/c\", \"e\"]", "{\"a\": {\"b\": {\"c\": 7}}, \"e\": 9}")]
    [InlineData("json.remove", "{\"a\": {\"b\": {\"c\": 7, \"d\": 8}}, \"e\": 9}", "[\"a/b/c\", \"e\"]", "{\"a\": {\"b\": {\"d\": 8}}}")]
    [InlineData("json.patch", "{\"a\": [1, 2]}", "[{\"op\": \"add\", \"path\": \"/a/-\", \"value\": 3}, {\"op\": \"replace\", \"path\": \"/a/0\", \"value\": 0}]", "{\"a\": [0, 2, 3]}")]
    [InlineData("json.patch", "{\"a\": 1}", "[{\"op\": \"test\", \"path\": \"/a\", \"value\": 2}]", "undefined")]
    [InlineData("json.marshal_with_options", "{\"foo\": \"bar\", \"bar\": \"baz\"}", "{\"prefix\": \"JSON => \"}", "\"JSON => {\\nJSON => \\t\\\"bar\\\": \\\"baz\\\",\\nJSON => \\t\\\"foo\\\": \\\"bar\\\"\\nJSON => }\"")]
    [InlineData("numbers.range", "3", "1", "[3, 2, 1]")]
    [InlineData("bits.lsh", "1", "70", "1180591620717411303424")]
    [InlineData("bits.rsh", "-9", "1", "-5")]
    [InlineData("bits.xor", "5", "3", "6")]
    [InlineData("graph.reachable", "{\"a\": [\"b\"], \"b\": [\"c\"], \"c\": [], \"d\": [\"a\"]}", "[\"a\"]", "{\"a\", \"b\", \"c\"}")]
    [InlineData("strings.any_prefix_match", "[\"foo\", \"bar\"]", "\"ba\"", "true")]
    [InlineData("internal.member_2", "2", "{\"a\": 2}", "true")]
    [InlineData("array.concat", "[1]", "[2]", "[1, 2]")]
    public void Binary_MatchesOpa(string name, string x, string y, string expected) =>
        Assert.Equal(expected, Json(name, x, y));

    [Theory]
    [InlineData("glob.match", "\"*.github.com\"", "[\".\"]", "\"api.github.com\"", "true")]
    [InlineData("glob.match", "\"api.**.com\"", "[\".\"]", "\"api.cdn.github.com\"", "true")]
    [InlineData("glob.match", "\"*.github.com\"", "[\".\"]", "\"api.not-github.com\"", "false")]
    [InlineData("glob.match", "\"[!a-c]at\"", "[]", "\"fat\"", "true")]
    [InlineData("glob.match", "\"?at\"", "[\"f\"]", "\"fat\"", "false")]
    [InlineData("glob.match", "\"{cat,bat,[fr]at}\"", "[]", "\"rat\"", "true")]
    [InlineData("glob.match", "\"*\"", "[]", "\"foo.bar\"", "false")]
    [InlineData("glob.match", "\"*\"", "null", "\"foo.bar\"", "true")]
    [InlineData("array.slice", "[1, 2, 3, 4]", "1", "3", "[2, 3]")]
    [InlineData("array.slice", "[1, 2, 3, 4]", "3", "1", "[]")]
    [InlineData("substring", "\"héllo\"", "1", "3", "\"éll\"")]
    [InlineData("substring", "\"abc\"", "1", "-1", "\"bc\"")]
    [InlineData("replace", "\"abab\"", "\"b\"", "\"x\"", "\"axax\"")]
    [InlineData("regex.replace", "\"abc123\"", "\"([a-z]+)([0-9]+)\"", "\"$2-$1\"", "\"123-abc\"")]
    [InlineData("regex.find_n", "\"[a-z]\"", "\"a1b2c\"", "2", "[\"a\", \"b\"]")]
    [InlineData("regex.find_all_string_submatch_n", "\"a(x*)b\"", "\"-ab-axxb-\"", "-1", "[[\"ab\", \"\"], [\"axxb\", \"xx\"]]")]
    [InlineData("numbers.range_step", "0", "10", "3", "[0, 3, 6, 9]")]
    [InlineData("internal.member_3", "\"a\"", "1", "{\"a\": 1}", "true")]
    [InlineData("object.get", "{\"a\": 1}", "\"b\"", "42", "42")]
    [InlineData("object.get", "{\"a\": {\"b\": [1, 2]}}", "[\"a\", \"b\", 1]", "0", "2")]
    [InlineData("object.get", "{\"a\": {\"b\": [1, 2]}}", "[\"a\", \"c\"]", "0", "0")]
    public void Ternary_MatchesOpa(string name, string x, string y, string z, string expected) =>
        Assert.Equal(expected, Json(name, x, y, z));

    [Fact]
    public void RegexTemplateMatch_MatchesBracedPatterns()
    {
        Assert.Equal("true", Json("regex.template_match", "\"urn:foo:{.*}\"", "\"urn:foo:bar:baz\"", "\"{\"", "\"}\""));
        Assert.Equal("false", Json("regex.template_match", "\"urn:foo.bar.com:{.*}\"", "\"urn:foo.com:bar:baz\"", "\"{\"", "\"}\""));
    }

    [Theory]
    [InlineData("count", "1", "type: operand 1 must be one of {array, object, set, string} but got number")]
    [InlineData("sum", "[\"a\"]", "type: operand 1 must be array of numbers but got array containing string")]
    [InlineData("array.flatten", "1", "type: operand 1 must be array but got number")]
    [InlineData("units.parse", "\"\"", "builtin: units.parse: no amount provided")]
    [InlineData("units.parse", "\"100 k\"", "builtin: units.parse: spaces not allowed in resource strings")]
    [InlineData("units.parse", "\".5.2\"", "builtin: units.parse: could not parse amount to a number")]
    [InlineData("units.parse_bytes", "\"0.0.0\"", "builtin: units.parse_bytes: could not parse byte amount to a number")]
    [InlineData("base64.decode", "\"aGVsbG8\"", "builtin: illegal base64 data at input byte 7")]
    [InlineData("hex.decode", "\"6g\"", "builtin: encoding/hex: invalid byte: U+0067 'g'")]
    [InlineData("to_number", "\"broken\"", "builtin: strconv.ParseFloat: parsing \"broken\": invalid syntax")]
    [InlineData("to_number", "\"nan\"", "type: operand 1 must be valid number string but got string")]
    [InlineData("json.unmarshal", "1", "type: operand 1 must be string but got number")]
    [InlineData("yaml.unmarshal", "\"[1,2,3\"", "builtin: yaml: line 1: did not find expected ',' or ']'")]
    public void Unary_ErrorsMatchOpa(string name, string arg, string expected) =>
        Assert.Equal(expected, Error(name, arg));

    [Theory]
    [InlineData("regex.globs_match", "\"pqrs]\"", "\"[a-b]+\"", "builtin: input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid")]
    [InlineData("semver.compare", "\"1\"", "\"1.0.0\"", "builtin: operand 1: string \"1\" is not a valid SemVer")]
    [InlineData("bits.and", "1.5", "1", "type: operand 1 must be integer number but got floating-point number")]
    [InlineData("numbers.range", "1.5", "2", "type: operand 1 must be integer number but got floating-point number")]
    [InlineData("bits.lsh", "1", "-1", "type: operand 2 must be an unsigned integer number but got a negative integer")]
    [InlineData("object.remove", "{}", "1", "type: operand 2 must be one of {object, set, array} but got number")]
    [InlineData("json.remove", "{}", "\"a\"", "type: operand 2 must be one of {set, array} but got string")]
    [InlineData("json.remove", "{}", "[1]", "type: operand 2 must be one of {set, array} containing string paths or array of path segments but got number")]
    [InlineData("json.marshal_with_options", "[]", "{\"include_winning_lottery_numbers\": true}", "type: object contained unknown key \"include_winning_lottery_numbers\"")]
    [InlineData("strings.any_suffix_match", "[1]", "\"a\"", "type: operand 1 must be array of strings but got array containing number")]
    [InlineData("indexof", "\"a\"", "\"\"", "builtin: empty search character")]
    [InlineData("strings.replace_n", "{\"a\": 1}", "\"a\"", "type: operand 1 non-string value found in pattern object")]
    [InlineData("format_int", "1", "3", "type: operand 2 must be one of {2, 8, 10, 16}")]
    public void Binary_ErrorsMatchOpa(string name, string x, string y, string expected) =>
        Assert.Equal(expected, Error(name, x, y));

    [Theory]
    [InlineData("%s", "[123456789123456789123]", "123456789123456789123")]
    [InlineData("hi %v", "[[\"there\", 5, 3.14]]", "hi [\"there\", 5, 3.14]")]
    [InlineData("hi %02d", "[5]", "hi 05")]
    [InlineData("hi %02X.%02X", "[10, 255]", "hi 0A.FF")]
    [InlineData("hi %.2f", "[3.14159]", "hi 3.14")]
    [InlineData("%s/%d", "[\"a\", 7]", "a/7")]
    [InlineData("%v", "[1000000.5]", "1.0000005e+06")]
    [InlineData("%q %t %%", "[\"x\", true]", "\"x\" %!t(string=true) %")]
    [InlineData("%d", "[\"x\"]", "%!d(string=x)")]
    [InlineData("%s", "[5]", "%!s(int=5)")]
    [InlineData("%d %d", "[1]", "1 %!d(MISSING)")]
    [InlineData("%e", "[123456.789]", "1.234568e+05")]
    [InlineData("%x", "[\"hi\"]", "6869")]
    [InlineData("%[2]d %[1]s", "[\"a\", 7]", "7 a")]
    [InlineData("%-4d|%+d|%5.1f", "[7, 3, 2.25]", "7   |+3|  2.2")]
    public void Sprintf_FormatsLikeGo(string format, string args, string expected) =>
        Assert.Equal(expected, ((StringValue)Call("sprintf", Value.From(format), Value.FromJson(args))!).Value);

    [Fact]
    public void Sprintf_HugeFloatLiteral_KeepsText() =>
        Assert.Equal("hi 2e308", ((StringValue)Call("sprintf", Value.From("hi %v"), ArrayValue.Create(NumberValue.Parse("2e308")!))!).Value);

    [Fact]
    public void Walk_YieldsEveryPathPreOrder()
    {
        Assert.True(BuiltinTable.Default.TryGet("walk", out var walk));
        var results = walk.Relation!(new BuiltinContext(), [Value.FromJson("{\"a\": [1]}")]).Select(static v => v.ToString()).ToList();
        Assert.Equal(["[[], {\"a\": [1]}]", "[[\"a\"], [1]]", "[[\"a\", 0], 1]"], results);
    }

    [Fact]
    public void RandIntn_SameKeyWithinEvaluation_IsStable()
    {
        Assert.True(BuiltinTable.Default.TryGet("rand.intn", out var rand));
        var context = new BuiltinContext();
        var first = rand.Function!(context, [Value.From("k"), Value.From(1000)]);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(first, rand.Function!(context, [Value.From("k"), Value.From(1000)]));
        }
    }

    [Fact]
    public void UuidRfc4122_SameKeyWithinEvaluation_IsStableAndVersion4()
    {
        Assert.True(BuiltinTable.Default.TryGet("uuid.rfc4122", out var uuid));
        var context = new BuiltinContext();
        var first = (StringValue)uuid.Function!(context, [Value.From("k")])!;
        Assert.Equal(first, uuid.Function!(context, [Value.From("k")]));
        Assert.Equal('4', first.Value[14]);
        Assert.Equal("{\"variant\": \"RFC4122\", \"version\": 4}", Call("uuid.parse", first)!.ToString());
    }

    [Fact]
    public void TemplateString_RendersPartsLikeOpa()
    {
        var parts = ArrayValue.Create(Value.From("foo "), SetValue.Create(Value.From(42)), Value.From(" "), SetValue.Empty, Value.From(" "), SetValue.Create([(Value)ArrayValue.Create(Value.From("a"))]));
        Assert.Equal("\"foo 42 <undefined> [\\\"a\\\"]\"", Call("internal.template_string", parts)!.ToString());
        Assert.Throws<BuiltinErrorException>(() => Call("internal.template_string", ArrayValue.Create([(Value)SetValue.Create(Value.From(1), Value.From(2))])));
    }

    [Fact]
    public void RegexMatch_CatastrophicPattern_FinishesQuickly()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("false", Json("regex.match", "\"^(a+)+$\"", "\"" + new string('a', 5000) + "!\""));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Intersection_OfSets_MatchesOpa()
    {
        var sets = SetValue.Create(SetValue.Create(Value.From(1), Value.From(2)), SetValue.Create(Value.From(2), Value.From(3)));
        Assert.Equal("{2}", Call("intersection", sets)!.ToString());
        Assert.Equal("{1, 2, 3}", Call("union", sets)!.ToString());
    }

    [Fact]
    public void JsonMatchSchema_NestedErrors_UseGoJsonSchemaShape()
    {
        var schema = Value.FromJson("""{"type": "object", "required": ["name"], "properties": {"tags": {"type": "array", "items": {"type": "string"}}, "age": {"type": "integer", "minimum": 0}}, "additionalProperties": false}""");
        var document = Value.FromJson("""{"tags": ["a", 1], "age": -1, "extra": true}""");
        var result = (ArrayValue)Call("json.match_schema", document, schema)!;
        Assert.Equal(Value.False, result[0]);
        var errors = ((ArrayValue)result[1]).Select(static e => ((ObjectValue)e)["error"]!.ToString()).ToList();
        Assert.Contains("\"(root): name is required\"", errors);
        Assert.Contains("\"tags.1: Invalid type. Expected: string, given: integer\"", errors);
        Assert.Contains("\"age: Must be greater than or equal to 0\"", errors);
        Assert.Contains("\"(root): Additional property extra is not allowed\"", errors);
    }

    [Fact]
    public void JsonVerifySchema_UnknownType_ReportsLikeOpa()
    {
        var result = (ArrayValue)Call("json.verify_schema", Value.From("""{"type": "unknown_type"}"""))!;
        Assert.Equal(Value.False, result[0]);
        Assert.Equal("jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]", ((StringValue)result[1]).Value);
    }

    [Fact]
    public void JsonMatchSchema_LocalRef_IsResolved()
    {
        var schema = Value.FromJson("""{"definitions": {"id": {"type": "integer"}}, "properties": {"id": {"$ref": "#/definitions/id"}}}""");
        Assert.Equal("[true, []]", Call("json.match_schema", Value.FromJson("""{"id": 3}"""), schema)!.ToString());
        Assert.Equal(Value.False, ((ArrayValue)Call("json.match_schema", Value.FromJson("""{"id": "x"}"""), schema)!)[0]);
    }

    [Theory]
    [InlineData("{\"method\": \"get\", \"url\": \"http://x\", \"bad_key\": 1}", "type: invalid request parameters(s): {\"bad_key\"}")]
    [InlineData("{\"method\": \"get\"}", "type: missing required request parameters(s): {\"url\"}")]
    [InlineData("{\"method\": \"get\", \"url\": \"http://127.0.0.1:1\"}", "builtin: outbound HTTP requests from policies are disabled in Vigil")]
    public void HttpSend_ValidatesAndFailsClosed(string request, string expected) =>
        Assert.Equal(expected, Error("http.send", request));

    [Fact]
    public void HttpSend_RaiseErrorFalse_ReturnsNetworkErrorObject() =>
        Assert.Equal(
            "{\"error\": {\"code\": \"eval_http_send_network_error\", \"message\": \"outbound HTTP requests from policies are disabled in Vigil\"}, \"status_code\": 0}",
            Json("http.send", "{\"method\": \"get\", \"url\": \"http://127.0.0.1:1\", \"raise_error\": false}"));

    [Fact]
    public void Replace_AmplifyingResult_FailsInsteadOfExhaustingMemory()
    {
        var big = Value.From(new string('a', 1_000_000));
        var e = Assert.Throws<BuiltinErrorException>(() => Call("replace", big, Value.From("a"), Value.From(new string('b', 1_000))));
        Assert.StartsWith("result too large", e.Message, StringComparison.Ordinal);
        Assert.Throws<BuiltinErrorException>(() => Call("regex.replace", big, Value.From("a"), Value.From(new string('b', 1_000))));
        Assert.Throws<BuiltinErrorException>(() => Call("sprintf", Value.From(string.Concat(Enumerable.Repeat("%999999d", 100))), ArrayValue.Create(Enumerable.Repeat((Value)Value.From(1), 100))));
    }

    [Fact]
    public void NumbersRange_Huge_FailsInsteadOfExhaustingMemory()
    {
        var e = Assert.Throws<BuiltinErrorException>(() => Call("numbers.range", Value.From(0), NumberValue.Parse("1e12")!));
        Assert.StartsWith("range too large", e.Message, StringComparison.Ordinal);
        Assert.Equal(1_000_000, ((ArrayValue)Call("numbers.range", Value.From(1), Value.From(1_000_000))!).Count);
    }
}
