using Vigil.Policy.Syntax;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>rego.parse_module: parses Rego source (v1, as OPA 1.x) into OPA's JSON AST shape.</summary>
internal static class Rego
{
    /// <summary>Largest module accepted.</summary>
    private const int MaxLength = 1 << 20;

    public static void Register(BuiltinTable table) =>
        table.Add("rego.parse_module", [T.String, T.String], T.Object, static (_, a) =>
        {
            var file = Args.String(a, 0);
            var text = Args.String(a, 1);
            if (text.Length > MaxLength)
            {
                throw new BuiltinErrorException($"module too large (more than {MaxLength} characters)");
            }

            try
            {
                return AstJson.ToValue(RegoParser.ParseModule(file, text, RegoVersion.V1));
            }
            catch (PolicyCompileException e)
            {
                throw new BuiltinErrorException(string.Join("; ", e.Errors.Select(static error => error.ToString())), e);
            }
        });
}
