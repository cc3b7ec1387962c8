using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

/// <summary>
/// Language operators the evaluator needs even when the builtin table lacks them (<c>in</c>, <c>==</c>, <c>!=</c>).
/// Entries in the configured <see cref="BuiltinTable"/> take precedence.
/// </summary>
internal static class NativeBuiltins
{
    private static readonly BuiltinTable Table = Create();

    public static bool TryGet(string name, out BuiltinDefinition definition) => Table.TryGet(name, out definition);

    private static BuiltinTable Create()
    {
        var table = new BuiltinTable();
        table.Add("equal", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(a[0].Equals(a[1])));
        table.Add("neq", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(!a[0].Equals(a[1])));
        table.Add("internal.member_2", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(Member(a[0], a[1])));
        table.Add("internal.member_3", [ValueTypes.Any, ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(Member3(a[0], a[1], a[2])));
        return table.Freeze();
    }

    private static bool Member(Value x, Value collection) => collection switch
    {
        ArrayValue a => a.AsSpan().Contains(x),
        SetValue s => s.Contains(x),
        ObjectValue o => o.Items.ContainsValue(x),
        _ => false,
    };

    private static bool Member3(Value key, Value value, Value collection) => collection switch
    {
        ArrayValue a => key is NumberValue n && n.IsInteger && n.TryGetInt64(out var i) && i >= 0 && i < a.Count && a[(int)i].Equals(value),
        ObjectValue o => o.TryGetValue(key, out var v) && v.Equals(value),
        SetValue s => key.Equals(value) && s.Contains(value),
        _ => false,
    };
}
