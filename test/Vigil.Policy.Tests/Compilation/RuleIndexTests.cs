using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Compilation;

public sealed class RuleIndexTests
{
    private const string Policy = """
        package authz
        default allow := false
        allow if {
            input.method == "GET"
            input.path == "/public"
        }
        allow if {
            "POST" == input.method
            input.user == "admin"
        }
        allow if {
            input.method = "DELETE"
            input.user == "root"
        }
        allow if input.user == "superuser"
        """;

    [Fact]
    public void Compile_RulesTestingSameInputPath_BuildsIndexOnThatPath()
    {
        var policy = new PolicyEngine().AddModule("authz.rego", Policy).Compile();

        var node = policy.Program.Root.Children["authz"].Children["allow"];

        Assert.NotNull(node.Index);
        Assert.Equal(["method"], node.Index!.Path);
    }

    [Theory]
    [InlineData("""{"method":"GET","path":"/public"}""", true)]
    [InlineData("""{"method":"GET","path":"/private"}""", false)]
    [InlineData("""{"method":"POST","user":"admin"}""", true)]
    [InlineData("""{"method":"DELETE","user":"admin"}""", false)]
    [InlineData("""{"method":"DELETE","user":"root"}""", true)]
    [InlineData("""{"method":"PATCH","user":"superuser"}""", true)]
    [InlineData("""{"user":"superuser"}""", true)]
    [InlineData("""{"method":7}""", false)]
    [InlineData("""{}""", false)]
    public void Evaluate_IndexedRules_MatchUnindexedSemantics(string input, bool expected)
    {
        var policy = new PolicyEngine().AddModule("authz.rego", Policy).Compile();

        var result = policy.Evaluate("data.authz.allow", Value.FromJson(input));

        Assert.Equal(Value.From(expected), Assert.Single(result).Expressions[0]);
    }

    [Fact]
    public void Evaluate_IndexedRulesUnderWithInput_UseReplacedInput()
    {
        var policy = new PolicyEngine().AddModule("authz.rego", Policy + """

            via_with := x if x := allow with input as {"method": "POST", "user": "admin"}
            """).Compile();

        var result = policy.Evaluate("data.authz.via_with", Value.FromJson("""{"method":"GET"}"""));

        Assert.Equal(Value.True, Assert.Single(result).Expressions[0]);
    }
}
