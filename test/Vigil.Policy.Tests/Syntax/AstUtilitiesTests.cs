using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Syntax;

public sealed class AstUtilitiesTests
{
    private static Module Parse(string text) => RegoParser.ParseModule("test.rego", text, RegoVersion.V1);

    [Fact]
    public void Descendants_VisitsNestedBodiesElseAndTemplates()
    {
        var module = Parse("""
            package test
            p := x if { x := [y | some y in input.a; every z in y { z > $"{count(z)}" }] } else := 2
            """);
        var vars = AstWalker.Descendants(module).OfType<Var>().Select(v => v.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "p", "x", "y", "z", "input", "count", "data" }, vars);
        Assert.Equal(2, AstWalker.Descendants(module).OfType<Rule>().Count());
    }

    [Fact]
    public void Descendants_DeepAst_DoesNotRecurse()
    {
        var module = Parse("package test\np := " + new string('[', 900) + new string(']', 900));
        Assert.Equal(900, AstWalker.Descendants(module).OfType<ArrayTerm>().Count());
    }

    [Fact]
    public void RegoV1Checks_ShadowingAndDeprecatedBuiltins_AreReported()
    {
        var module = RegoParser.ParseModule("test.rego", """
            package test
            input := 1
            f(data) := 2
            p if { data := 3; any([true]) }
            q := [x | x := re_match("a", "b")]
            """, RegoVersion.V0);
        var errors = RegoV1Checks.Check(module);
        Assert.Equal(
            [
                "test.rego:2: rego_compile_error: rules must not shadow input (use a different rule name)",
                "test.rego:3: rego_compile_error: args must not shadow data (use a different variable name)",
                "test.rego:4: rego_compile_error: variables must not shadow data (use a different variable name)",
                "test.rego:4: rego_type_error: deprecated built-in function calls in expression: any",
                "test.rego:5: rego_type_error: deprecated built-in function calls in expression: re_match",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void RegoV1Checks_CleanModule_HasNoErrors() =>
        Assert.Empty(RegoV1Checks.Check(Parse("package test\np if { x := input.a; count(x) > 1 }\n")));

    [Fact]
    public void AstJson_Module_HasOpaShape()
    {
        var json = AstJson.ToValue(Parse("package foo.bar\nimport rego.v1\nimport data.a\np if { a = true }\n"));
        var obj = Assert.IsType<ObjectValue>(json);
        Assert.Equal("foo", ((ObjectValue)((ArrayValue)((ObjectValue)obj["package"]!)["path"]!)[1])["value"]!.ToString().Trim('"'));
        Assert.Equal(
            """{"body":[{"index":0,"terms":[{"type":"ref","value":[{"type":"var","value":"eq"}]},{"type":"var","value":"a"},{"type":"boolean","value":true}]}],"head":{"name":"p","ref":[{"type":"var","value":"p"}],"value":{"type":"boolean","value":true}}}""",
            ((ArrayValue)obj["rules"]!)[0].ToJson());
        Assert.Equal("""[{"path":{"type":"ref","value":[{"type":"var","value":"rego"},{"type":"string","value":"v1"}]}},{"path":{"type":"ref","value":[{"type":"var","value":"data"},{"type":"string","value":"a"}]}}]""", obj["imports"]!.ToJson());
    }

    [Fact]
    public void AstJson_PartialSetAndSome_UseOpaForms()
    {
        var json = AstJson.ToValue(Parse("package t\ns contains x if { some x in input.xs }\n"));
        var rule = (ObjectValue)((ArrayValue)((ObjectValue)json)["rules"]!)[0];
        var head = (ObjectValue)rule["head"]!;
        Assert.Null(head["value"]);
        Assert.Equal("""{"type":"var","value":"x"}""", head["key"]!.ToJson());
        Assert.Contains("\"symbols\":[{\"type\":\"call\"", rule["body"]!.ToJson(), StringComparison.Ordinal);
        Assert.Contains("member_2", rule["body"]!.ToJson(), StringComparison.Ordinal);
    }
}
