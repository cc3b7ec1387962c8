using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Tests.Syntax;

/// <summary>After <c>if</c>, braces are read in OPA's order: literal first where the literal reading can differ.</summary>
public sealed class IfBodyLiteralTests
{
    private static Expr OnlyExpr(string rule)
    {
        var module = RegoParser.ParseModule("t.rego", "package t\n\n" + rule + "\n", RegoVersion.V1);
        return Assert.Single(Assert.Single(module.Rules).Body.Exprs);
    }

    [Fact]
    public void ParseModule_IfNotSet_IsNegatedSetExpression()
    {
        var expr = OnlyExpr("p if not {1, 2}");
        Assert.True(expr.Negated);
        Assert.Equal(2, Assert.IsType<SetTerm>(expr.Terms).Items.Count);
    }

    [Fact]
    public void ParseModule_IfBracesWithLeadingBar_IsSetComprehension()
    {
        var expr = OnlyExpr("p if {y | y := input.x}");
        Assert.IsType<SetComprehension>(expr.Terms);
    }

    [Fact]
    public void ParseModule_IfBracesWithAssignment_IsBody()
    {
        var expr = OnlyExpr("p if { x := 1 }");
        Assert.Equal("assign", Assert.IsType<Call>(expr.Terms).Name);
    }
}
