using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>is_number, is_string, is_boolean, is_array, is_set, is_object, is_null, type_name.</summary>
internal static class Types
{
    public static void Register(BuiltinTable table)
    {
        table.Add("is_number", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is NumberValue));
        table.Add("is_string", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is StringValue));
        table.Add("is_boolean", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is BooleanValue));
        table.Add("is_array", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is ArrayValue));
        table.Add("is_set", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is SetValue));
        table.Add("is_object", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is ObjectValue));
        table.Add("is_null", [T.Any], T.Boolean, static (_, a) => Value.From(a[0] is NullValue));
        table.Add("type_name", [T.Any], T.String, static (_, a) => Value.From(a[0].TypeName));
    }
}
