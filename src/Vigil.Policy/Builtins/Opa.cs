using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>opa.runtime (a minimal runtime object; the process environment is deliberately not exposed) and trace.</summary>
internal static class Opa
{
    public static void Register(BuiltinTable table)
    {
        table.Add("opa.runtime", [], T.Object, static (_, _) => ObjectValue.Create(
        [
            new KeyValuePair<string, Value>("env", ObjectValue.Empty),
            new KeyValuePair<string, Value>("version", Value.From("vigil")),
        ]), nondeterministic: true);
        table.Add("trace", [T.String], T.Boolean, static (_, a) =>
        {
            Args.String(a, 0);
            return Value.True;
        });
    }
}
