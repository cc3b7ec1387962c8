using Vigil.Policy.Formatting;
using Vigil.Policy.Syntax;

namespace Vigil.Policy.Tests.Formatting;

/// <summary>Golden input/expected pairs (testdata/*.in.rego → *.out.rego) and targeted formatter behaviour.</summary>
public sealed class RegoFormatterTests
{
    private static string TestData()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "test", "Vigil.Policy.Tests", "Formatting", "testdata");
    }

    public static TheoryData<string> Goldens()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(TestData(), "*.in.rego").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file)[..^".in.rego".Length]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Format_GoldenInput_GivesExpectedOutputThatIsAFixpoint(string name)
    {
        var input = File.ReadAllText(Path.Combine(TestData(), name + ".in.rego"));
        var expected = File.ReadAllText(Path.Combine(TestData(), name + ".out.rego"));

        var result = RegoFormatter.Format(name + ".in.rego", input);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Output);
        Assert.True(result.Changed);
        var again = RegoFormatter.Format(name + ".out.rego", expected);
        Assert.Equal(expected, again.Output);
        Assert.False(again.Changed);
    }

    [Fact]
    public void Format_GoldenFiles_CoverEveryConstruct()
    {
        Assert.True(Goldens().Count >= 7, "expected at least 7 golden pairs");
    }

    [Fact]
    public void Format_ParseError_ReportsLocationAndNoOutput()
    {
        var result = RegoFormatter.Format("bad.rego", "package p\n\nallow if {\n\tinput.x ==\n}\n");

        Assert.False(result.Succeeded);
        Assert.Null(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.Equal(new SourceLocation("bad.rego", 5, 1), error.Location);
    }

    [Fact]
    public void Format_AlreadyFormatted_IsUnchanged()
    {
        const string text = "package p\n\nallow if input.x\n";
        var result = RegoFormatter.Format("p.rego", text);
        Assert.Equal(text, result.Output);
        Assert.False(result.Changed);
    }

    [Fact]
    public void Format_CrlfSpacesAndMissingFinalNewline_GiveTabsLfAndOneNewline()
    {
        var result = RegoFormatter.Format("p.rego", "package p\r\n\r\n\r\n\r\nallow if {\r\n    input.x   # why\r\n}");
        Assert.Equal("package p\n\nallow if {\n\tinput.x # why\n}\n", result.Output);
    }

    [Fact]
    public void Format_V0Module_KeepsV0SyntaxUnlessAlreadyV1()
    {
        var result = RegoFormatter.Format("p.rego", "package p\ndeny[msg] { msg := \"x\" }\nallow = true { input.x }\n");
        Assert.Equal("package p\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n\nallow = true {\n\tinput.x\n}\n", result.Output);
    }

    [Fact]
    public void Format_V0CompatibleOption_KeepsImportsAndAssignmentOperators()
    {
        const string text = "package p\n\nimport rego.v1\nimport future.keywords.if\n\np = 1 if input.x\n";
        var v1 = RegoFormatter.Format("p.rego", text);
        var v0 = RegoFormatter.Format("p.rego", text, new RegoFormatOptions { V0Compatible = true });

        Assert.Equal("package p\n\nimport rego.v1\n\np := 1 if input.x\n", v1.Output);
        Assert.Equal("package p\n\nimport future.keywords.if\nimport rego.v1\n\np = 1 if input.x\n", v0.Output);
    }

    [Fact]
    public void Format_StringsAndNumbers_KeptExactlyAsWritten()
    {
        const string text = "package p\n\nx := [\"\\u00e9\\t\\\"\", `a\\nb`, 1.0, 1e3, -.5, 12345678901234567890123]\n";
        Assert.Equal(text, RegoFormatter.Format("p.rego", text).Output);
    }

    [Fact]
    public void Format_MetadataBlock_IsUnchangedAndStillAttached()
    {
        const string text = "package p\n\n# METADATA\n# title: Allow\n# custom:\n#   level: 3\nallow if {\n\tinput.x\n}\n";
        var result = RegoFormatter.Format("p.rego", text);
        Assert.Equal(text, result.Output);
        var module = RegoParser.ParseModule("p.rego", result.Output!, RegoVersion.Auto);
        Assert.Same(module.Rules[0], Assert.Single(module.Annotations).Target);
    }

    [Fact]
    public void Format_UnionInsideCollections_IsParenthesisedSoItStaysAUnion()
    {
        var result = RegoFormatter.Format("p.rego", "package p\n\nx := [(a | b), {(a | b): 1}, {(a | b)}]\na := {1}\nb := {2}\n");
        Assert.Equal("package p\n\nx := [(a | b), {(a | b): 1}, {(a | b)}]\na := {1}\nb := {2}\n", result.Output);
    }

    [Fact]
    public void Format_DeepNesting_FormatsOrFailsCleanly()
    {
        var text = "package p\n\nx := " + new string('[', 900) + new string(']', 900) + "\n";
        var result = RegoFormatter.Format("deep.rego", text);
        Assert.True(result.Succeeded || result.Errors[0].Code == PolicyErrorCodes.FormatError);
        if (result.Succeeded)
        {
            Assert.Equal(text, result.Output);
        }
    }

    [Fact]
    public void ModulesEqual_DifferentValue_IsNotEqual_ButLayoutIs()
    {
        var a = RegoParser.ParseModule("a.rego", "package p\n\nx := 1\n", RegoVersion.Auto);
        var b = RegoParser.ParseModule("b.rego", "package p\nx :=\n  1", RegoVersion.Auto);
        var c = RegoParser.ParseModule("c.rego", "package p\n\nx := 2\n", RegoVersion.Auto);
        var d = RegoParser.ParseModule("d.rego", "package p\n\nx := [1 | 2]\n", RegoVersion.Auto);
        var e = RegoParser.ParseModule("e.rego", "package p\n\nx := [(1 | 2)]\n", RegoVersion.Auto);

        Assert.True(AstEquality.ModulesEqual(a, b, v1Output: true));
        Assert.False(AstEquality.ModulesEqual(a, c, v1Output: true));
        Assert.False(AstEquality.ModulesEqual(d, e, v1Output: true));
    }
}
