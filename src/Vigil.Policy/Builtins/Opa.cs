using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>opa.runtime and trace.</summary>
internal static class Opa
{
    public static void Register(BuiltinTable table)
    {
        // Like OPA without runtime information configured: an empty object (the process
        // environment and configuration are deliberately not exposed to policies).
        table.Add("opa.runtime", [], T.Object, static (_, _) => ObjectValue.Empty, nondeterministic: true);
        table.Add("trace", [T.String], T.Boolean, static (_, a) =>
        {
            Args.String(a, 0);
            return Value.True;
        });
    }
}
