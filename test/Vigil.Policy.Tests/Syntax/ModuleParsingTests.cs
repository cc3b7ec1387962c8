using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Syntax;

public sealed class ModuleParsingTests
{
    private static Module Parse(string text, RegoVersion version = RegoVersion.V1) => RegoParser.ParseModule("test.rego", text, version);

    private static Rule Single(string rules, RegoVersion version = RegoVersion.V1) => Assert.Single(Parse("package test\n" + rules, version).Rules);

    private static PolicyCompileException Fails(string text, RegoVersion version = RegoVersion.V1) =>
        Assert.Throws<PolicyCompileException>(() => Parse(text, version));

    [Fact]
    public void ParseModule_Package_IsDataRefWithStringPath()
    {
        var module = Parse("package a.b.c\n");
        Assert.Equal("data.a.b.c", module.Package.Path.ToString());
        Assert.Equal("data.a.b.c", module.Package.Path.DottedName);
        Assert.Equal(new SourceLocation("test.rego", 1, 1), module.Package.Location);
        Assert.Empty(module.Rules);
    }

    [Theory]
    [InlineData("allow if input.x == 1", nameof(RuleKind.Complete), "allow if { input.x == 1 }")]
    [InlineData("allow := true", nameof(RuleKind.Complete), "allow := true if { true }")]
    [InlineData("p.q.r := 1", nameof(RuleKind.Complete), "p.q.r := 1 if { true }")]
    [InlineData("p.q.r if { input.x }", nameof(RuleKind.Complete), "p.q.r if { input.x }")]
    [InlineData("deny contains msg if { msg := \"no\" }", nameof(RuleKind.PartialSet), "deny contains msg if { msg := \"no\" }")]
    [InlineData("deny contains \"x\"", nameof(RuleKind.PartialSet), "deny contains \"x\" if { true }")]
    [InlineData("a.b[c] contains x if { x := 1; c := 2 }", nameof(RuleKind.MultiValueRef), "a.b[c] contains x if { x := 1; c := 2 }")]
    [InlineData("p[x] := 1 if { x := \"a\" }", nameof(RuleKind.PartialObject), "p[x] := 1 if { x := \"a\" }")]
    [InlineData("p[x] if { x := \"a\" }", nameof(RuleKind.PartialObject), "p[x] if { x := \"a\" }")]
    [InlineData("a.b[c].d := 2 if { c := \"z\" }", nameof(RuleKind.PartialObject), "a.b[c].d := 2 if { c := \"z\" }")]
    [InlineData("f(x) := x + 1", nameof(RuleKind.Function), "f(x) := x + 1 if { true }")]
    [InlineData("f(x) if x > 1", nameof(RuleKind.Function), "f(x) if { x > 1 }")]
    [InlineData("a.b.f(x) := y if { y := x }", nameof(RuleKind.Function), "a.b.f(x) := y if { y := x }")]
    public void ParseModule_V1RuleForms_HaveExpectedKind(string source, string kind, string printed)
    {
        var rule = Single(source);
        Assert.Equal(kind, rule.Kind.ToString());
        Assert.Equal(printed, rule.ToString());
    }

    [Theory]
    [InlineData("p if { x }", "Var")]
    [InlineData("p if { true }", "Scalar")]
    [InlineData("p if {1} == {1}", "Call")]
    [InlineData("p if {a | b}", "SetComprehension")]
    [InlineData("p if { \"a\": 1 }", "ObjectTerm")]
    [InlineData("p if { [x | x := 1] }", "ArrayComprehension")]
    [InlineData("p if input.x", "Ref")]
    public void ParseModule_IfFollowedByBraces_FollowsOpaLiteralFirstRule(string rule, string firstExprType)
    {
        var body = Single(rule).Body;
        Assert.Single(body.Exprs);
        Assert.Equal(firstExprType, body[0].Terms.GetType().Name);
    }

    [Fact]
    public void ParseModule_PartialSet_HasKeyNoValueAndIsMultiValue()
    {
        var head = Single("deny contains msg if { msg := 1 }").Head;
        Assert.True(head.IsMultiValue);
        Assert.Equal("deny", head.Name);
        Assert.Equal("msg", Assert.IsType<Var>(head.Key).Name);
        Assert.Null(head.Value);
        Assert.Null(head.Args);
        Assert.Empty(head.Reference.Path);
    }

    [Fact]
    public void ParseModule_RefHeadWithIf_IsSingleValueWithImpliedTrue()
    {
        var head = Single("p[x] if { x := 1 }").Head;
        Assert.False(head.IsMultiValue);
        Assert.Null(head.Value);
        Assert.Equal("x", Assert.IsType<Var>(head.Key).Name);
        Assert.Equal("p[x]", head.Reference.ToString());
    }

    [Fact]
    public void ParseModule_AssignVersusUnify_IsRecordedOnHead()
    {
        var module = Parse("package test\na := 1\nb = 2\n");
        Assert.True(module.Rules[0].Head.Assign);
        Assert.False(module.Rules[1].Head.Assign);
    }

    [Fact]
    public void ParseModule_ElseChain_LinksRulesWithOwnValues()
    {
        var rule = Single("""
            authz := "allow" if {
                input.user == "admin"
            } else := "deny" if {
                input.user == "guest"
            } else := "unknown"
            """);
        Assert.Equal("\"allow\"", rule.Head.Value!.ToString());
        var e1 = Assert.IsType<Rule>(rule.Else);
        Assert.Equal("\"deny\"", e1.Head.Value!.ToString());
        Assert.Equal("input.user == \"guest\"", e1.Body.ToString());
        var e2 = Assert.IsType<Rule>(e1.Else);
        Assert.Equal("\"unknown\"", e2.Head.Value!.ToString());
        Assert.Equal("true", e2.Body.ToString());
        Assert.Null(e2.Else);
        Assert.Equal(4, e1.Location.Line);
    }

    [Fact]
    public void ParseModule_DefaultRulesAndFunctions_AreMarkedDefaultWithTrueBody()
    {
        var module = Parse("package test\ndefault allow := false\ndefault f(_) := 1\n");
        Assert.All(module.Rules, r => Assert.True(r.IsDefault));
        Assert.Equal("false", module.Rules[0].Head.Value!.ToString());
        Assert.Equal(RuleKind.Function, module.Rules[1].Kind);
        Assert.Equal("true", module.Rules[0].Body.ToString());
    }

    [Theory]
    [InlineData("default p := x", "illegal default rule (value cannot contain var)")]
    [InlineData("default p := input.x", "illegal default rule (value cannot contain ref)")]
    [InlineData("default p := count([])", "illegal default rule (value cannot contain call)")]
    [InlineData("default a.b", "illegal default rule (must have a value)")]
    [InlineData("default f(x, x) := 1", "illegal default rule (arguments cannot be repeated x)")]
    public void ParseModule_InvalidDefaultRule_ReportsOpaMessage(string rule, string message)
    {
        var error = Assert.Single(Fails("package test\n" + rule).Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation("test.rego", 2, 1), error.Location);
    }

    [Fact]
    public void ParseModule_Imports_KeepPathAndAlias()
    {
        var module = Parse("""
            package test
            import data.users as u
            import input.request
            import future.keywords.in
            import future.keywords
            import rego.v1
            p := 1
            """);
        Assert.Equal(5, module.Imports.Count);
        Assert.Equal("data.users", module.Imports[0].Path.ToString());
        Assert.Equal("u", module.Imports[0].BoundName);
        Assert.Equal("request", module.Imports[1].BoundName);
        Assert.True(module.Imports[2].IsKeywordImport);
        Assert.Equal("future.keywords.in", module.Imports[2].Path.DottedName);
        Assert.True(module.Imports[4].IsKeywordImport);
    }

    [Theory]
    [InlineData("import foo.bar", "unexpected import path, must begin with one of: {data, future, input, rego}, got: foo (hint: if this is unexpected, try updating OPA)")]
    [InlineData("import rego.v2", "invalid import `rego.v2`, must be `rego.v1`")]
    [InlineData("import future.keywords.foo", "unexpected keyword, must be one of [contains every if in]")]
    [InlineData("import future.stuff", "invalid import, must be `future.keywords`")]
    [InlineData("import future.keywords.in as x", "`future` imports cannot be aliased")]
    [InlineData("import data.x[y]", "unexpected var token: expecting string")]
    public void ParseModule_InvalidImport_ReportsOpaMessage(string import, string message)
    {
        var error = Assert.Single(Fails("package test\n" + import + "\n").Errors);
        Assert.Equal(message, error.Message);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    [Fact]
    public void ParseModule_V0StyleUnderAuto_ParsesAsLenientV0()
    {
        var module = Parse("""
            package v0style

            default allow = false

            allow {
                input.user == "admin"
                x in data.admins
            }

            violation[{"msg": msg}] {
                msg := "bad"
            }

            obj[k] = v { k := "a"; v := 1 }

            f(x) = y { y := x }

            ps[1]
            c = 5
            """, RegoVersion.Auto);

        Assert.Equal(RegoVersion.V0, module.RegoVersion);
        Assert.Equal(
            [RuleKind.Complete, RuleKind.Complete, RuleKind.PartialSet, RuleKind.PartialObject, RuleKind.Function, RuleKind.PartialSet, RuleKind.Complete],
            module.Rules.Select(r => r.Kind));
        Assert.Equal("violation contains {\"msg\": msg} if { msg := \"bad\" }", module.Rules[2].ToString());
        Assert.Equal("obj[k] = v if { k := \"a\"; v := 1 }", module.Rules[3].ToString());
        Assert.Equal("x in data.admins", module.Rules[1].Body[1].ToString());
    }

    [Fact]
    public void ParseModule_V0MultipleBodies_BecomeSeparateRulesWithSameHead()
    {
        var module = Parse("package test\nallow { input.a } { input.b }\n", RegoVersion.V0);
        Assert.Equal(2, module.Rules.Count);
        Assert.All(module.Rules, r => Assert.Equal("allow", r.Head.Name));
        Assert.Equal("input.b", module.Rules[1].Body.ToString());
        Assert.Equal(new SourceLocation("test.rego", 2, 19), module.Rules[1].Location);
    }

    [Fact]
    public void ParseModule_AutoWithFutureKeywordsImport_IsTreatedAsV0()
    {
        Assert.Equal(RegoVersion.V0, Parse("package test\nimport future.keywords.if\np if input.x\n", RegoVersion.Auto).RegoVersion);
        Assert.Equal(RegoVersion.V1, Parse("package test\nimport future.keywords.if\nimport rego.v1\np if input.x\n", RegoVersion.Auto).RegoVersion);
        Assert.Equal(RegoVersion.V1, Parse("package test\nimport future.keywords.if\np if input.x\n", RegoVersion.V1).RegoVersion);
    }

    [Fact]
    public void ParseModule_V1Module_ReportsVersionV1()
    {
        Assert.Equal(RegoVersion.V1, Parse("package test\np if input.x\n", RegoVersion.Auto).RegoVersion);
        Assert.Equal(RegoVersion.V0, Parse("package test\np if input.x\n", RegoVersion.V0).RegoVersion);
    }

    [Fact]
    public void ParseModule_V0SyntaxUnderV1_ReportsIfAndContainsErrorsWithLocations()
    {
        var e = Fails("package test\n\np[x] {\n\tx = \"a\"\n}\n\nq { true }\n");
        Assert.Equal(
            [
                "test.rego:3: rego_parse_error: `if` keyword is required before rule body",
                "test.rego:3: rego_parse_error: `contains` keyword is required for partial set rules",
                "test.rego:7: rego_parse_error: `if` keyword is required before rule body",
            ],
            e.Errors.Select(x => x.ToString()));
        Assert.All(e.Errors, x => Assert.Equal(1, x.Location!.Value.Column));
    }

    [Fact]
    public void ParseModule_V0WithRegoV1Import_EnforcesV1Rules()
    {
        var e = Fails("package test\nimport rego.v1\nf(x) { x }\n", RegoVersion.V0);
        Assert.Equal("`if` keyword is required before function body", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void ParseModule_ElseBodyWithoutIf_IsRejectedInV1AndAcceptedInV0()
    {
        const string text = "package test\np := 1 if { input.a } else := 2 { input.b } else := 3\n";
        var error = Assert.Single(Fails(text).Errors);
        Assert.Equal("`if` keyword is required before rule body", error.Message);
        Assert.Equal(new SourceLocation("test.rego", 2, 23), error.Location);
        Assert.Equal(RegoVersion.V0, Parse(text, RegoVersion.Auto).RegoVersion);
    }

    [Fact]
    public void ParseModule_BareRuleWithoutValueOrBody_IsRejectedInV1()
    {
        var e = Fails("package test\na.b.c\n");
        Assert.Equal("rule must have value assignment and/or body declaration", Assert.Single(e.Errors).Message);
    }

    [Theory]
    [InlineData("x == 1", "rule name conflicts with built-in function")]
    [InlineData("1", "number cannot be used for rule name")]
    [InlineData("p", "var cannot be used for rule name")]
    [InlineData("not p", "negated expressions cannot be used for rule head")]
    [InlineData("p := 1; q := 2", "multiple expressions cannot be used for rule head")]
    [InlineData("p := 1 with input as 2", "expressions using with keyword cannot be used for rule head")]
    [InlineData("some x", "'some' declarations cannot be used for rule head")]
    [InlineData("f(x).y := 1", "invalid rule head: f(x).y")]
    [InlineData("f(x).y if true", "invalid rule head: f(x).y")]
    public void ParseModule_ExpressionThatIsNoRule_ReportsOpaMessage(string statement, string message)
    {
        var error = Assert.Single(Fails("package test\n" + statement + "\n").Errors);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ParseModule_StructureErrors_AreReported()
    {
        Assert.Equal("package expected", Assert.Single(Fails("p := 1\n").Errors).Message);
        Assert.Equal("empty module", Assert.Single(Fails("  # just a comment\n").Errors).Message);
        Assert.Equal("unexpected package", Assert.Single(Fails("package a\npackage b\n").Errors).Message);
    }

    [Fact]
    public void ParseModule_SeveralBrokenRules_CollectsAnErrorPerRule()
    {
        var e = Fails("""
            package test
            a := [1,
            b := 2
            c if {
                x := (1 + 
            }
            d := 4
            e := {
            """);
        Assert.True(e.Errors.Count >= 3, string.Join('\n', e.Errors));
        Assert.Equal(3, e.Errors[0].Location!.Value.Line);
        Assert.Contains(e.Errors, x => x.Location!.Value.Line == 6);
    }

    [Theory]
    [InlineData("package foo.", 1, 13, "unexpected eof token: expected ident")]
    [InlineData("package x\np if {", 2, 7, "unexpected eof token")]
    [InlineData("package x\np := [1, 2", 2, 11, "unexpected eof token: expected \",\" or \"]\"")]
    [InlineData("package x\np if { x := \"abc }", 2, 13, "non-terminated string")]
    [InlineData("package x\np if { x := 01 }", 2, 13, "unexpected number token: expected number without leading zero")]
    [InlineData("package x\np if { x = 1 y = 2 }", 2, 14, "unexpected ident token: expected \\n or ; or }")]
    [InlineData("package x\np if { }", 2, 8, "found empty body")]
    [InlineData("package x\np if { not some x in y }", 2, 12, "unexpected some keyword: illegal negation of 'some'")]
    [InlineData("package x\np if { x := \"\\q\" }", 2, 13, "illegal escape sequence")]
    [InlineData("package x\np ~ 1", 2, 3, "illegal token")]
    [InlineData("package x\np if { every x in xs }", 2, 22, "unexpected } token: missing body")]
    [InlineData("package x\np if { every [a] in xs { true } }", 2, 24, "unexpected { token: expected value to be a variable")]
    [InlineData("package x\np if { input.x with 1 as 2 }", 2, 21, "unexpected number token: expected ident")]
    [InlineData("package x\np := `unterminated", 2, 6, "non-terminated raw string")]
    [InlineData("package x\np := \"\U0001F600\U0001F600\" ~", 2, 11, "illegal token")] // columns count code points, as OPA's
    [InlineData("package x\np := [\"\U0001F600\", \"caf\u00e9\U0001F600\"] ~", 2, 21, "illegal token")]
    public void ParseModule_SyntaxError_ReportsMessageAtLineAndColumn(string text, int line, int column, string message)
    {
        var error = Assert.Single(Fails(text).Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation("test.rego", line, column), error.Location);
    }

    [Fact]
    public void ParseModule_KeywordsInRefs_AreNames()
    {
        var module = Parse("""
            package test
            p if {
                else.foo == 1
                input.in == 2
                foo.if == 3
            }
            else.foo := 1
            foo.if := 3
            """);
        Assert.Equal(3, module.Rules.Count);
        Assert.Equal("else.foo", module.Rules[1].Head.Reference.ToString());
        Assert.Equal("input[\"in\"] == 2", module.Rules[0].Body[1].ToString().Replace(".in", "[\"in\"]", StringComparison.Ordinal));
    }

    [Fact]
    public void ParseModule_Wildcards_BecomeDistinctGeneratedVars()
    {
        var body = Single("p if { input.a[_] == input.b[_] }").Body;
        Assert.Equal("input.a[$0] == input.b[$1]", body.ToString());
        var call = Assert.IsType<Call>(body[0].Terms);
        var wildcard = Assert.IsType<Var>(Assert.IsType<Ref>(call.Args[0]).Path[1]);
        Assert.True(wildcard.IsGenerated);
    }

    [Fact]
    public void ParseModule_Comments_AreIgnoredEverywhere()
    {
        var rule = Single("p := [1, # one\n  2] # trailing\n# own line\n");
        Assert.Equal("[1, 2]", rule.Head.Value!.ToString());
    }

    [Fact]
    public void ParseModule_RuleLocations_PointAtRuleStart()
    {
        var module = Parse("package test\n\n  default allow := false\nallow if {\n  true\n}\n");
        Assert.Equal(new SourceLocation("test.rego", 3, 3), module.Rules[0].Location);
        Assert.Equal(new SourceLocation("test.rego", 4, 1), module.Rules[1].Location);
        Assert.Equal(new SourceLocation("test.rego", 5, 3), module.Rules[1].Body[0].Location);
    }

    [Fact]
    public void ParseModule_TemplateString_SplitsLiteralAndExpressionParts()
    {
        var value = Assert.IsType<TemplateString>(Single("p := $\"hello {input.name}, {1 + 2} \\{x} {\"lit\"}!\"").Head.Value);
        Assert.False(value.IsRaw);
        Assert.Equal(7, value.Parts.Count);
        Assert.Equal("\"hello \"", value.Parts[0].ToString());
        Assert.Equal("input.name", Assert.IsType<Expr>(value.Parts[1]).ToString());
        Assert.Equal("1 + 2", Assert.IsType<Expr>(value.Parts[3]).ToString());
        Assert.Equal(" {x} ", ((StringValue)Assert.IsType<Scalar>(value.Parts[4]).Value).Value);
        Assert.Equal("\"lit\"", Assert.IsType<Scalar>(value.Parts[5]).ToString());
        Assert.Equal("\"!\"", Assert.IsType<Scalar>(value.Parts[6]).ToString());
    }

    [Fact]
    public void ParseModule_RawTemplateString_SpansLines()
    {
        var value = Assert.IsType<TemplateString>(Single("p := $`<a>\n  {input.x}\n</a>`").Head.Value);
        Assert.True(value.IsRaw);
        Assert.Equal("\"<a>\\n  \"", value.Parts[0].ToString());
        Assert.IsType<Expr>(value.Parts[1]);
    }

    [Theory]
    [InlineData("$\"\\{42}\"", "{42}")]
    [InlineData("$\"foo \\{42} bar \\{43} baz\"", "foo {42} bar {43} baz")]
    [InlineData("$\"foo \\{1 + 2\\} bar\"", "foo {1 + 2} bar")]
    [InlineData("$`\\{42}`", "{42}")]
    [InlineData("$`foo \\{42} bar \\{43} baz`", "foo {42} bar {43} baz")]
    [InlineData("$`a\\nb`", "a\\nb")]
    [InlineData("$\"a\\nb\\u00e9\"", "a\nbé")]
    public void ParseModule_TemplateEscapes_DecodeLikeOpa(string template, string literal)
    {
        var value = Assert.IsType<TemplateString>(Single("p := " + template).Head.Value);
        Assert.Equal(literal, ((StringValue)Assert.IsType<Scalar>(Assert.Single(value.Parts)).Value).Value);
    }

    [Fact]
    public void ParseModule_EscapedBraceBeforeHole_KeepsBothParts()
    {
        var value = Assert.IsType<TemplateString>(Single("p := $`\\{{42}`").Head.Value);
        Assert.Equal(2, value.Parts.Count);
        Assert.Equal("\"{\"", value.Parts[0].ToString());
        Assert.Equal("42", value.Parts[1].ToString());
    }

    [Fact]
    public void ParseModule_NestedTemplateStrings_Parse()
    {
        var value = Assert.IsType<TemplateString>(Single("p := $\"a {$\"b {input.x}\"} c\"").Head.Value);
        var inner = Assert.IsType<Expr>(value.Parts[1]);
        Assert.IsType<TemplateString>(inner.Terms);
    }

    [Theory]
    [InlineData("p := $\"a {x := 1}\"", "unexpected assignment (':=') in template-string expression")]
    [InlineData("p := $\"a {x = 1}\"", "unexpected unification ('=') in template-string expression")]
    [InlineData("p := $\"a {not x}\"", "unexpected negation ('not') in template-string expression")]
    [InlineData("p := $\"a {x\"", "non-terminated string")]
    [InlineData("p := $\"a {x} b", "non-terminated template string")]
    public void ParseModule_InvalidTemplateString_IsRejected(string rule, string message)
    {
        var errors = Fails("package test\n" + rule).Errors;
        Assert.Contains(errors, e => e.Message == message);
    }
}
