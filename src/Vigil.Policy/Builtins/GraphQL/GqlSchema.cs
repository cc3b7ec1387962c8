namespace Vigil.Policy.Builtins.GraphQL;

/// <summary>
/// A validated schema: the document merged with the built-in scalars and directives, extensions
/// applied, and the checks gqlparser's schema validation makes (types exist and have the right
/// kind, interfaces are fully implemented, names are unique, ...).
/// </summary>
internal sealed class GqlSchema
{
    private static readonly string[] BuiltinScalars = ["Int", "Float", "String", "Boolean", "ID"];

    private GqlSchema()
    {
    }

    public Dictionary<string, GqlDefinition> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, GqlDirectiveDefinition> Directives { get; } = new(StringComparer.Ordinal);

    public GqlDefinition? Query { get; private set; }

    public GqlDefinition? Mutation { get; private set; }

    public GqlDefinition? Subscription { get; private set; }

    private static GqlException Invalid(string message) => new(message, 0, 0);

    public static GqlSchema Build(GqlSchemaDocument doc)
    {
        var schema = new GqlSchema();
        foreach (var scalar in BuiltinScalars)
        {
            schema.Types[scalar] = new GqlDefinition("SCALAR", string.Empty, scalar, [], [], [], [], [], true, 0, 0);
        }

        var boolean = new GqlType("Boolean", null, true);
        schema.Directives["skip"] = new GqlDirectiveDefinition(string.Empty, "skip", [new(string.Empty, "if", null, boolean, [])], ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], false, 0, 0);
        schema.Directives["include"] = new GqlDirectiveDefinition(string.Empty, "include", [new(string.Empty, "if", null, boolean, [])], ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], false, 0, 0);
        schema.Directives["deprecated"] = new GqlDirectiveDefinition(string.Empty, "deprecated", [new(string.Empty, "reason", null, new GqlType("String", null, false), [])], ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"], false, 0, 0);
        schema.Directives["specifiedBy"] = new GqlDirectiveDefinition(string.Empty, "specifiedBy", [new(string.Empty, "url", null, new GqlType("String", null, true), [])], ["SCALAR"], false, 0, 0);
        schema.Directives["oneOf"] = new GqlDirectiveDefinition(string.Empty, "oneOf", [], ["INPUT_OBJECT"], false, 0, 0);

        foreach (var def in doc.Definitions)
        {
            if (schema.Types.TryGetValue(def.Name, out var existing) && !existing.BuiltIn)
            {
                throw Invalid($"Cannot redeclare type {def.Name}.");
            }

            schema.Types[def.Name] = def;
        }

        foreach (var ext in doc.Extensions)
        {
            if (!schema.Types.TryGetValue(ext.Name, out var def))
            {
                schema.Types[ext.Name] = ext;
                continue;
            }

            if (def.Kind != ext.Kind)
            {
                throw Invalid($"Cannot extend type {ext.Name} because the base type is a {def.Kind}, not {ext.Kind}.");
            }

            schema.Types[ext.Name] = def with
            {
                Directives = [.. def.Directives, .. ext.Directives],
                Interfaces = [.. def.Interfaces, .. ext.Interfaces],
                Fields = [.. def.Fields, .. ext.Fields],
                Types = [.. def.Types, .. ext.Types],
                EnumValues = [.. def.EnumValues, .. ext.EnumValues],
            };
        }

        foreach (var directive in doc.Directives)
        {
            if (schema.Directives.ContainsKey(directive.Name) && directive.Name is not ("skip" or "include" or "deprecated" or "specifiedBy" or "oneOf"))
            {
                throw Invalid($"Cannot redeclare directive {directive.Name}.");
            }

            schema.Directives[directive.Name] = directive;
            foreach (var arg in directive.Arguments)
            {
                schema.CheckInputType(arg.Type, $"argument {arg.Name} of directive {directive.Name}");
            }
        }

        foreach (var def in schema.Types.Values)
        {
            schema.Validate(def);
        }

        foreach (var definition in doc.Schema.Concat(doc.SchemaExtension))
        {
            foreach (var (operation, typeName) in definition.OperationTypes)
            {
                if (!schema.Types.TryGetValue(typeName, out var type))
                {
                    throw Invalid($"Schema root {operation} refers to a type {typeName} that does not exist.");
                }

                switch (operation)
                {
                    case "query": schema.Query = type; break;
                    case "mutation": schema.Mutation = type; break;
                    default: schema.Subscription = type; break;
                }
            }
        }

        if (doc.Schema.Count == 0)
        {
            schema.Query = schema.Types.GetValueOrDefault("Query");
            schema.Mutation = schema.Types.GetValueOrDefault("Mutation");
            schema.Subscription = schema.Types.GetValueOrDefault("Subscription");
        }

        return schema;
    }

    private void CheckName(string name)
    {
        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            throw Invalid($"Name \"{name}\" must not begin with \"__\", which is reserved by GraphQL introspection.");
        }
    }

    private GqlDefinition TypeOf(GqlType type, string context) =>
        Types.TryGetValue(type.BaseName, out var def) ? def : throw Invalid($"Undefined type {type.BaseName}.");

    private void CheckInputType(GqlType type, string context)
    {
        var def = TypeOf(type, context);
        if (def.Kind is not ("SCALAR" or "ENUM" or "INPUT_OBJECT"))
        {
            throw Invalid($"{def.Name} is not an input type for {context}.");
        }
    }

    private void Validate(GqlDefinition def)
    {
        if (def.BuiltIn)
        {
            return;
        }

        CheckName(def.Name);
        switch (def.Kind)
        {
            case "OBJECT" or "INTERFACE":
                if (def.Fields.Count == 0)
                {
                    throw Invalid($"{def.Kind} {def.Name}: must define one or more fields.");
                }

                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var field in def.Fields)
                {
                    CheckName(field.Name);
                    if (!names.Add(field.Name))
                    {
                        throw Invalid($"Field {def.Name}.{field.Name} can only be defined once.");
                    }

                    var type = TypeOf(field.Type, field.Name);
                    if (type.Kind == "INPUT_OBJECT")
                    {
                        throw Invalid($"{def.Name}.{field.Name} must be an output type.");
                    }

                    foreach (var arg in field.Arguments)
                    {
                        CheckInputType(arg.Type, $"argument {arg.Name} of {def.Name}.{field.Name}");
                    }
                }

                foreach (var name in def.Interfaces)
                {
                    if (!Types.TryGetValue(name, out var iface))
                    {
                        throw Invalid($"Undefined type {Strings.GoQuote(name)}.");
                    }

                    if (iface.Kind != "INTERFACE")
                    {
                        throw Invalid($"{def.Name} must implement only interfaces, {name} is a {iface.Kind}.");
                    }

                    foreach (var required in iface.Fields)
                    {
                        if (!def.Fields.Any(f => f.Name == required.Name))
                        {
                            throw Invalid($"For {def.Name} to implement {name} it must have a field called {required.Name}.");
                        }
                    }

                    foreach (var transitive in iface.Interfaces)
                    {
                        if (!def.Interfaces.Contains(transitive))
                        {
                            throw Invalid($"{def.Name} must implement {transitive} because it is implemented by {name}.");
                        }
                    }
                }

                break;
            case "UNION":
                if (def.Types.Count == 0)
                {
                    throw Invalid($"UNION {def.Name}: must define one or more unique member types.");
                }

                foreach (var member in def.Types)
                {
                    if (!Types.TryGetValue(member, out var type) || type.Kind != "OBJECT")
                    {
                        throw Invalid($"UNION type \"{member}\" must be OBJECT.");
                    }
                }

                break;
            case "ENUM":
                if (def.EnumValues.Count == 0 || def.EnumValues.Select(static v => v.Name).Distinct(StringComparer.Ordinal).Count() != def.EnumValues.Count)
                {
                    throw Invalid($"ENUM {def.Name}: must define one or more unique enum values.");
                }

                foreach (var value in def.EnumValues)
                {
                    if (value.Name is "true" or "false" or "null")
                    {
                        throw Invalid($"ENUM {def.Name}: non-enum value {value.Name}.");
                    }
                }

                break;
            case "INPUT_OBJECT":
                if (def.Fields.Count == 0)
                {
                    throw Invalid($"INPUT_OBJECT {def.Name}: must define one or more input fields.");
                }

                foreach (var field in def.Fields)
                {
                    CheckInputType(field.Type, $"field {field.Name} of {def.Name}");
                }

                break;
        }
    }
}
