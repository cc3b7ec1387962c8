using Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Syntax;

/// <summary>
/// The module-level Rego v1 checks OPA runs at compile time (not parse time) for v1 modules (including v0 modules
/// that <c>import rego.v1</c>): no rule, function argument or assigned variable may shadow <c>input</c>/<c>data</c>
/// (<c>rego_compile_error</c>), and deprecated builtins may not be called (<c>rego_type_error</c>).
/// Duplicate imports are left to the compiler. Call this for modules whose <see cref="Module.RegoVersion"/> is V1.
/// </summary>
internal static class RegoV1Checks
{
    /// <summary>Builtins that OPA marks deprecated and rejects in Rego v1.</summary>
    public static readonly IReadOnlySet<string> DeprecatedBuiltins = new HashSet<string>(StringComparer.Ordinal)
    {
        "any", "all", "re_match", "net.cidr_overlap", "set_diff", "cast_array", "cast_set", "cast_string",
        "cast_boolean", "cast_null", "cast_object",
    };

    public static IReadOnlyList<PolicyError> Check(Module module)
    {
        var errors = new List<PolicyError>();
        foreach (var node in AstWalker.Descendants(module))
        {
            switch (node)
            {
                case Rule rule:
                    if (rule.Head.Name is "input" or "data")
                    {
                        errors.Add(new PolicyError(PolicyErrorCodes.CompileError, $"rules must not shadow {rule.Head.Name} (use a different rule name)", rule.Location));
                    }

                    foreach (var arg in rule.Head.Args ?? [])
                    {
                        if (arg is Ref { Path.Count: 0, Head: Var { Name: "input" or "data" } v })
                        {
                            errors.Add(new PolicyError(PolicyErrorCodes.CompileError, $"args must not shadow {v.Name} (use a different variable name)", arg.Location));
                        }
                    }

                    break;
                case Expr { Terms: Call { Name: "assign" } assign } expr:
                    if (assign.Args[0] is Ref { Path.Count: 0, Head: Var { Name: "input" or "data" } target })
                    {
                        errors.Add(new PolicyError(PolicyErrorCodes.CompileError, $"variables must not shadow {target.Name} (use a different variable name)", expr.Location));
                    }

                    break;
                case Call call when call.Name is { } name && DeprecatedBuiltins.Contains(name):
                    errors.Add(new PolicyError(PolicyErrorCodes.TypeError, $"deprecated built-in function calls in expression: {name}", call.Location));
                    break;
            }
        }

        return errors;
    }
}
