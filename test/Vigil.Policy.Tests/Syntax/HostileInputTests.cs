using System.Diagnostics;
using System.Text;
using Vigil.Policy.Syntax;

namespace Vigil.Policy.Tests.Syntax;

/// <summary>Hostile input must end in a parse error within bounded time and stack, never a crash or hang.</summary>
public sealed class HostileInputTests
{
    private const int Deep = 100_000;

    public static TheoryData<string> DeepModules() => new()
    {
        "p := " + new string('[', Deep) + new string(']', Deep),
        "p := " + new string('(', Deep) + "1" + new string(')', Deep),
        "p := " + new string('{', Deep) + new string('}', Deep),
        "p := " + Repeat("[x | ", Deep) + "1" + new string(']', Deep),
        "p := " + string.Join(" + ", Enumerable.Repeat("1", Deep)),
        "p := " + string.Join(" in ", Enumerable.Repeat("x", Deep)),
        "p := 1 if { false } " + Repeat("else := 1 if { false } ", Deep),
        "p := " + Repeat("$\"{", Deep) + "1" + Repeat("}\"", Deep),
        "p := " + Repeat("f(", Deep) + "1" + new string(')', Deep),
        "p := " + Repeat("{\"a\": ", Deep) + "1" + new string('}', Deep),
        "p if { " + Repeat("every x in y { ", Deep) + "true" + new string('}', Deep) + " }",
    };

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();

    /// <summary>Runs on a thread with a small (256 KB) stack: the depth limit and stack probe must protect it.</summary>
    private static Exception? RunOnSmallStack(Action action) => RunOnStack(action, 256 * 1024);

    private static Exception? RunOnStack(Action action, int stackSize)
    {
        Exception? caught = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    caught = e;
                }
            },
            stackSize);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "parser did not finish within 60 s");
        return caught;
    }

    [Theory]
    [MemberData(nameof(DeepModules))]
    public void ParseModule_HostileNesting_FailsWithNestingError(string rule)
    {
        var caught = RunOnSmallStack(() => RegoParser.ParseModule("deep.rego", "package deep\n" + rule + "\n", RegoVersion.Auto));
        var e = Assert.IsType<PolicyCompileException>(caught);
        var error = Assert.Single(e.Errors);
        Assert.Equal(PolicyErrorCodes.ParseError, error.Code);
        Assert.Contains("exceeds maximum nesting depth", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Location!.Value.Line);
    }

    [Fact]
    public void ParseQuery_HostileNesting_FailsWithNestingError()
    {
        var caught = RunOnSmallStack(() => RegoParser.ParseQuery(new string('[', Deep)));
        Assert.Contains("exceeds maximum nesting depth", Assert.IsType<PolicyCompileException>(caught).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseValue_HostileNesting_FailsWithNestingError()
    {
        var caught = RunOnSmallStack(() => RegoParser.ParseValue(new string('{', Deep)));
        Assert.Contains("exceeds maximum nesting depth", Assert.IsType<PolicyCompileException>(caught).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseModule_NestingBelowLimit_ParsesAndPrintsOnThreadPoolSizedStack()
    {
        var text = "package ok\np := " + new string('[', 900) + new string(']', 900) + "\n";
        var caught = RunOnStack(
            () =>
        {
                var module = RegoParser.ParseModule("ok.rego", text, RegoVersion.V1);
                Assert.StartsWith("[[[", module.Rules[0].Head.Value!.ToString(), StringComparison.Ordinal);
            },
            1536 * 1024);
        Assert.Null(caught);
    }

    [Fact]
    public void ParseModule_LargeModule_ParsesInBoundedTime()
    {
        var text = new StringBuilder("package big\n");
        for (var i = 0; i < 20_000; i++)
        {
            text.Append("r").Append(i).Append(" if { input.a[").Append(i).Append("] == \"x\"; some k in input.b; k > ").Append(i).Append(" }\n");
        }

        var watch = Stopwatch.StartNew();
        var module = RegoParser.ParseModule("big.rego", text.ToString(), RegoVersion.V1);
        Assert.Equal(20_000, module.Rules.Count);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    [Fact]
    public void ParseModule_ManyErrors_StopsCollectingAfterALimit()
    {
        var text = "package bad\n" + Repeat("p := [\n", 5_000);
        var e = Assert.Throws<PolicyCompileException>(() => RegoParser.ParseModule("bad.rego", text, RegoVersion.V1));
        Assert.InRange(e.Errors.Count, 1, 20);
    }

    [Theory]
    [InlineData("\u0000")]
    [InlineData("package x\np := \"\u0001")]
    [InlineData("package x\np := $")]
    [InlineData("package x\np := ```")]
    [InlineData("package x\n}}}}")]
    [InlineData("package x\np := $\"{{{{\"")]
    [InlineData("package x\np := \"\\u12\"")]
    [InlineData("package x\np := 1e")]
    public void ParseModule_Garbage_FailsWithParseError(string text)
    {
        var e = Assert.Throws<PolicyCompileException>(() => RegoParser.ParseModule("g.rego", text, RegoVersion.Auto));
        Assert.All(e.Errors, x => Assert.Equal(PolicyErrorCodes.ParseError, x.Code));
    }
}
