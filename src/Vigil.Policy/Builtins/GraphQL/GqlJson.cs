using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins.GraphQL;

/// <summary>
/// Converts between the typed AST and the objects OPA returns: gqlparser's struct fields by
/// name, with Position, null and empty values pruned (scalar fields such as "" and false stay).
/// </summary>
internal static class GqlJson
{
    private sealed class Builder
    {
        private readonly Dictionary<Value, Value> _items = [];

        public Builder Str(string key, string value)
        {
            _items[Value.From(key)] = Value.From(value);
            return this;
        }

        public Builder Bool(string key, bool value)
        {
            _items[Value.From(key)] = Value.From(value);
            return this;
        }

        public Builder Int(string key, int value)
        {
            _items[Value.From(key)] = NumberValue.Create(value);
            return this;
        }

        public Builder Obj(string key, Value? value)
        {
            if (value is ObjectValue { Count: > 0 })
            {
                _items[Value.From(key)] = value;
            }

            return this;
        }

        public Builder List<T>(string key, IEnumerable<T> items, Func<T, Value> convert)
        {
            var values = items.Select(convert).Where(static v => v is not ObjectValue { Count: 0 }).ToList();
            if (values.Count > 0)
            {
                _items[Value.From(key)] = ArrayValue.Create(values);
            }

            return this;
        }

        public ObjectValue Build() => ObjectValue.Wrap(_items);
    }

    public static Value ToValue(GqlQueryDocument doc) => new Builder()
        .List("Operations", doc.Operations, Operation)
        .List("Fragments", doc.Fragments, Fragment)
        .Build();

    public static Value ToValue(GqlSchemaDocument doc) => new Builder()
        .List("Schema", doc.Schema, SchemaDefinition)
        .List("SchemaExtension", doc.SchemaExtension, SchemaDefinition)
        .List("Directives", doc.Directives, DirectiveDefinition)
        .List("Definitions", doc.Definitions, Definition)
        .List("Extensions", doc.Extensions, Definition)
        .Build();

    private static Value Operation(GqlOperation op) => new Builder()
        .Str("Operation", op.Operation)
        .Str("Name", op.Name)
        .List("VariableDefinitions", op.VariableDefinitions, VariableDefinition)
        .List("Directives", op.Directives, Directive)
        .List("SelectionSet", op.SelectionSet, Selection)
        .Build();

    private static Value Fragment(GqlFragment fragment) => new Builder()
        .Str("Name", fragment.Name)
        .List("VariableDefinition", fragment.VariableDefinition, VariableDefinition)
        .Str("TypeCondition", fragment.TypeCondition)
        .List("Directives", fragment.Directives, Directive)
        .List("SelectionSet", fragment.SelectionSet, Selection)
        .Build();

    private static Value VariableDefinition(GqlVariableDefinition v) => new Builder()
        .Str("Variable", v.Variable)
        .Obj("Type", Type(v.Type))
        .Obj("DefaultValue", v.DefaultValue is null ? null : ValueNode(v.DefaultValue))
        .List("Directives", v.Directives, Directive)
        .Bool("Used", false)
        .Build();

    private static Value Selection(GqlSelection selection) => selection switch
    {
        GqlField f => new Builder()
            .Str("Alias", f.Alias)
            .Str("Name", f.Name)
            .List("Arguments", f.Arguments, Argument)
            .List("Directives", f.Directives, Directive)
            .List("SelectionSet", f.SelectionSet, Selection)
            .Build(),
        GqlFragmentSpread s => new Builder()
            .Str("Name", s.Name)
            .List("Directives", s.Directives, Directive)
            .Build(),
        GqlInlineFragment i => new Builder()
            .Str("TypeCondition", i.TypeCondition)
            .List("Directives", i.Directives, Directive)
            .List("SelectionSet", i.SelectionSet, Selection)
            .Build(),
        _ => ObjectValue.Empty,
    };

    private static Value Argument(GqlArgument a) => new Builder()
        .Str("Name", a.Name)
        .Obj("Value", a.Value is null ? null : ValueNode(a.Value))
        .Build();

    private static Value Directive(GqlDirective d) => new Builder()
        .Str("Name", d.Name)
        .List("Arguments", d.Arguments, Argument)
        .Str("Location", string.Empty)
        .Build();

    private static Value ValueNode(GqlValue v) => new Builder()
        .Str("Raw", v.Raw)
        .List("Children", v.Children, static c => new Builder().Str("Name", c.Name).Obj("Value", ValueNode(c.Value)).Build())
        .Int("Kind", v.Kind)
        .Bool("ExpectedTypeHasDefault", false)
        .Build();

    private static Value Type(GqlType t) => new Builder()
        .Str("NamedType", t.NamedType)
        .Obj("Elem", t.Elem is null ? null : Type(t.Elem))
        .Bool("NonNull", t.NonNull)
        .Build();

    private static Value SchemaDefinition(GqlSchemaDefinition s) => new Builder()
        .Str("Description", s.Description)
        .List("Directives", s.Directives, Directive)
        .List("OperationTypes", s.OperationTypes, static o => new Builder().Str("Operation", o.Operation).Str("Type", o.Type).Build())
        .Build();

    private static Value DirectiveDefinition(GqlDirectiveDefinition d) => new Builder()
        .Str("Description", d.Description)
        .Str("Name", d.Name)
        .List("Arguments", d.Arguments, ArgumentDefinition)
        .List("Locations", d.Locations, static l => (Value)Value.From(l))
        .Bool("IsRepeatable", d.IsRepeatable)
        .Build();

    private static Value ArgumentDefinition(GqlArgumentDefinition a) => new Builder()
        .Str("Description", a.Description)
        .Str("Name", a.Name)
        .Obj("DefaultValue", a.DefaultValue is null ? null : ValueNode(a.DefaultValue))
        .Obj("Type", Type(a.Type))
        .List("Directives", a.Directives, Directive)
        .Build();

    private static Value Definition(GqlDefinition d) => new Builder()
        .Str("Kind", d.Kind)
        .Str("Description", d.Description)
        .Str("Name", d.Name)
        .List("Directives", d.Directives, Directive)
        .List("Interfaces", d.Interfaces, static i => (Value)Value.From(i))
        .List("Fields", d.Fields, FieldDefinition)
        .List("Types", d.Types, static t => (Value)Value.From(t))
        .List("EnumValues", d.EnumValues, static e => new Builder().Str("Description", e.Description).Str("Name", e.Name).List("Directives", e.Directives, Directive).Build())
        .Bool("BuiltIn", d.BuiltIn)
        .Build();

    private static Value FieldDefinition(GqlFieldDefinition f) => new Builder()
        .Str("Description", f.Description)
        .Str("Name", f.Name)
        .List("Arguments", f.Arguments, ArgumentDefinition)
        .Obj("DefaultValue", f.DefaultValue is null ? null : ValueNode(f.DefaultValue))
        .Obj("Type", Type(f.Type))
        .List("Directives", f.Directives, Directive)
        .Build();

    // ---- objects back to the typed AST (as OPA's JSON round trip into the Go structs) ----
    private static string S(ObjectValue o, string key) => o[key] is StringValue s ? s.Value : string.Empty;

    private static bool B(ObjectValue o, string key) => o[key] is BooleanValue { Value: true };

    private static IEnumerable<ObjectValue> L(ObjectValue o, string key) => o[key] is ArrayValue a ? a.OfType<ObjectValue>() : [];

    private static List<string> Strs(ObjectValue o, string key) => o[key] is ArrayValue a ? [.. a.OfType<StringValue>().Select(static s => s.Value)] : [];

    public static GqlQueryDocument QueryFromValue(ObjectValue o)
    {
        var doc = new GqlQueryDocument();
        doc.Operations.AddRange(L(o, "Operations").Select(static op => new GqlOperation(
            S(op, "Operation"), S(op, "Name"), [.. L(op, "VariableDefinitions").Select(VariableFromValue)],
            [.. L(op, "Directives").Select(DirectiveFromValue)], SelectionsFromValue(op), 0, 0)));
        doc.Fragments.AddRange(L(o, "Fragments").Select(static f => new GqlFragment(
            S(f, "Name"), [.. L(f, "VariableDefinition").Select(VariableFromValue)], S(f, "TypeCondition"),
            [.. L(f, "Directives").Select(DirectiveFromValue)], SelectionsFromValue(f), 0, 0)));
        return doc;
    }

    private static List<GqlSelection> SelectionsFromValue(ObjectValue o) => [.. L(o, "SelectionSet").Select(static s =>
        s.ContainsKey(Value.From("Alias")) || s.ContainsKey(Value.From("Arguments"))
            ? (GqlSelection)new GqlField(S(s, "Alias"), S(s, "Name"), [.. L(s, "Arguments").Select(ArgumentFromValue)], [.. L(s, "Directives").Select(DirectiveFromValue)], SelectionsFromValue(s), 0, 0)
            : s.ContainsKey(Value.From("SelectionSet"))
                ? new GqlInlineFragment(S(s, "TypeCondition"), [.. L(s, "Directives").Select(DirectiveFromValue)], SelectionsFromValue(s), 0, 0)
                : new GqlFragmentSpread(S(s, "Name"), [.. L(s, "Directives").Select(DirectiveFromValue)], 0, 0))];

    private static GqlVariableDefinition VariableFromValue(ObjectValue v) =>
        new(S(v, "Variable"), TypeFromValue(v["Type"] as ObjectValue), v["DefaultValue"] is ObjectValue d ? ValueFromValue(d) : null, [.. L(v, "Directives").Select(DirectiveFromValue)], 0, 0);

    private static GqlArgument ArgumentFromValue(ObjectValue a) => new(S(a, "Name"), a["Value"] is ObjectValue v ? ValueFromValue(v) : null, 0, 0);

    private static GqlDirective DirectiveFromValue(ObjectValue d) => new(S(d, "Name"), [.. L(d, "Arguments").Select(ArgumentFromValue)], 0, 0);

    private static GqlValue ValueFromValue(ObjectValue v) => new(
        v["Kind"] is NumberValue n && n.TryGetInt32(out var kind) ? kind : 0,
        S(v, "Raw"),
        [.. L(v, "Children").Select(static c => (S(c, "Name"), c["Value"] is ObjectValue cv ? ValueFromValue(cv) : new GqlValue(GqlValue.Null, "null", [], 0, 0)))],
        0,
        0);

    private static GqlType TypeFromValue(ObjectValue? t) => t is null
        ? new GqlType(string.Empty, null, false)
        : new GqlType(S(t, "NamedType"), t["Elem"] is ObjectValue e ? TypeFromValue(e) : null, B(t, "NonNull"));

    public static GqlSchemaDocument SchemaFromValue(ObjectValue o)
    {
        var doc = new GqlSchemaDocument();
        doc.Schema.AddRange(L(o, "Schema").Select(SchemaDefinitionFromValue));
        doc.SchemaExtension.AddRange(L(o, "SchemaExtension").Select(SchemaDefinitionFromValue));
        doc.Directives.AddRange(L(o, "Directives").Select(static d => new GqlDirectiveDefinition(
            S(d, "Description"), S(d, "Name"), [.. L(d, "Arguments").Select(ArgumentDefinitionFromValue)], Strs(d, "Locations"), B(d, "IsRepeatable"), 0, 0)));
        doc.Definitions.AddRange(L(o, "Definitions").Select(DefinitionFromValue));
        doc.Extensions.AddRange(L(o, "Extensions").Select(DefinitionFromValue));
        return doc;
    }

    private static GqlSchemaDefinition SchemaDefinitionFromValue(ObjectValue s) => new(
        S(s, "Description"), [.. L(s, "Directives").Select(DirectiveFromValue)], [.. L(s, "OperationTypes").Select(static t => (S(t, "Operation"), S(t, "Type")))]);

    private static GqlArgumentDefinition ArgumentDefinitionFromValue(ObjectValue a) => new(
        S(a, "Description"), S(a, "Name"), a["DefaultValue"] is ObjectValue d ? ValueFromValue(d) : null, TypeFromValue(a["Type"] as ObjectValue), [.. L(a, "Directives").Select(DirectiveFromValue)]);

    private static GqlDefinition DefinitionFromValue(ObjectValue d) => new(
        S(d, "Kind"), S(d, "Description"), S(d, "Name"), [.. L(d, "Directives").Select(DirectiveFromValue)], Strs(d, "Interfaces"),
        [.. L(d, "Fields").Select(static f => new GqlFieldDefinition(S(f, "Description"), S(f, "Name"), [.. L(f, "Arguments").Select(ArgumentDefinitionFromValue)],
            f["DefaultValue"] is ObjectValue dv ? ValueFromValue(dv) : null, TypeFromValue(f["Type"] as ObjectValue), [.. L(f, "Directives").Select(DirectiveFromValue)]))],
        Strs(d, "Types"),
        [.. L(d, "EnumValues").Select(static e => new GqlEnumValue(S(e, "Description"), S(e, "Name"), [.. L(e, "Directives").Select(DirectiveFromValue)]))],
        B(d, "BuiltIn"), 0, 0);
}
