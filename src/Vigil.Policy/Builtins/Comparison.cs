using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>equal, neq, lt, lte, gt, gte: OPA's total order over all values.</summary>
internal static class Comparison
{
    public static void Register(BuiltinTable table)
    {
        table.Add("equal", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(a[0].Equals(a[1])));
        table.Add("neq", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(!a[0].Equals(a[1])));
        table.Add("lt", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(a[0].CompareTo(a[1]) < 0));
        table.Add("lte", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(a[0].CompareTo(a[1]) <= 0));
        table.Add("gt", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(a[0].CompareTo(a[1]) > 0));
        table.Add("gte", [T.Any, T.Any], T.Boolean, static (_, a) => Value.From(a[0].CompareTo(a[1]) >= 0));
    }
}
