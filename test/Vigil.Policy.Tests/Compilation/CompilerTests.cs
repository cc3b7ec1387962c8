using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Compilation;

public sealed class CompilerTests
{
    private static PolicyCompileException CompileError(string module) =>
        Assert.Throws<PolicyCompileException>(() =>
            new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", module).Compile());

    [Fact]
    public void Compile_UnsafeVariable_ReportsUnsafeVarWithLocation()
    {
        var error = CompileError("""
            package t
            p if {
                x > 1
            }
            """);

        var e = Assert.Single(error.Errors);
        Assert.Equal(PolicyErrorCodes.UnsafeVarError, e.Code);
        Assert.Equal("var x is unsafe", e.Message);
        Assert.Equal(3, e.Location!.Value.Line);
    }

    [Fact]
    public void Compile_SeveralProblems_ReportsAllErrors()
    {
        var error = CompileError("""
            package t
            p if nope(1)
            q if y == 1
            default r := 1
            default r := 2
            """);

        Assert.Contains(error.Errors, static e => e.Code == PolicyErrorCodes.TypeError && e.Message == "undefined function nope");
        Assert.Contains(error.Errors, static e => e.Code == PolicyErrorCodes.UnsafeVarError && e.Message == "var y is unsafe");
        Assert.Contains(error.Errors, static e => e.Message.Contains("multiple default rules", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_BodyOutOfOrder_ReordersForSafety()
    {
        var policy = new PolicyEngine().AddModule("p.rego", """
            package t
            p := y if {
                y > 1
                y = input.n
            }
            """).Compile();

        var result = policy.Evaluate("data.t.p", Vigil.Policy.Values.Value.FromJson("""{"n":5}"""));

        Assert.Equal(Vigil.Policy.Values.Value.From(5), Assert.Single(result).Expressions[0]);
    }

    [Fact]
    public void Rules_ListsEveryRuleWithFullPath()
    {
        var policy = new PolicyEngine().AddModule("p.rego", """
            package authz
            allow if true
            test_allow if allow
            f(x) := x
            """).Compile();

        Assert.Contains(policy.Rules, static r => r.Path == "data.authz.test_allow" && r.Name == "test_allow" && !r.IsFunction);
        Assert.Contains(policy.Rules, static r => r.Path == "data.authz.f" && r.IsFunction);
    }

    [Fact]
    public void Compile_ConstantOperandOfWrongType_ReportsTypeError()
    {
        var error = CompileError("""
            package t
            p := count(1)
            """);

        var e = Assert.Single(error.Errors);
        Assert.Equal(PolicyErrorCodes.TypeError, e.Code);
        Assert.StartsWith("count: invalid argument(s)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ConflictingRuleKinds_ReportsTypeError()
    {
        var error = CompileError("""
            package t
            p := 1
            p contains 2
            """);

        Assert.Contains(error.Errors, static e => e.Code == PolicyErrorCodes.TypeError && e.Message == "conflicting rules data.t.p found");
    }

    [Fact]
    public void Compile_WithUnknownTarget_ReportsTypeError()
    {
        var error = CompileError("""
            package t
            p if true with nothing.here as 1
            """);

        Assert.Contains(error.Errors, static e => e.Message == "with keyword target must reference existing input, data, or a function");
    }

    [Fact]
    public void Compile_WrongArity_ReportsTypeError()
    {
        var error = CompileError("""
            package t
            f(x) := x
            p := f(1, 2, 3)
            """);

        Assert.Contains(error.Errors, static e => e.Code == PolicyErrorCodes.TypeError && e.Message.StartsWith("data.t.f: too many arguments", StringComparison.Ordinal));
    }
    [Fact]
    public void Compile_ExtraArgumentInNestedCall_ReportsTypeErrorAtTheCall()
    {
        // OPA: a nested call becomes a generated expression with an output (rewriteExprTerms), and
        // checkUndefinedFuncs requires exactly arity + 1 operands of it; only a whole-expression call takes an output.
        var error = CompileError("""
            package t
            x if count(input.roles, 1) > 0
            z := upper("a", "b")
            """);

        var count = Assert.Single(error.Errors, static e => e.Message.StartsWith("count: too many arguments", StringComparison.Ordinal));
        Assert.Equal(PolicyErrorCodes.TypeError, count.Code);
        Assert.Equal(2, count.Location?.Line);
        Assert.Equal(6, count.Location?.Column);
        var upper = Assert.Single(error.Errors, static e => e.Message.StartsWith("upper: too many arguments", StringComparison.Ordinal));
        Assert.Equal(3, upper.Location?.Line);
        Assert.Equal(6, upper.Location?.Column);
    }

    [Fact]
    public void Compile_HeadWithEmptyParentheses_IsAnOrdinaryRule()
    {
        // OPA: a head is a function only with at least one argument (Rule.isFunction: len(Head.Args) > 0).
        var policy = new PolicyEngine().AddModule("p.rego", """
            package p
            f() := {"k": 1}
            x := f.k
            """).Compile();

        var result = policy.Prepare("data.p").Evaluate(null);

        Assert.Equal(Value.FromJson("""{"f": {"k": 1}, "x": 1}"""), Assert.Single(result).Expressions[0]);
    }
}
