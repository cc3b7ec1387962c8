namespace Vigil.Policy.Builtins.GraphQL;

/// <summary>Validates a query document against a schema (the main rules of the GraphQL spec, worded as gqlparser does).</summary>
internal sealed class GqlValidator
{
    private readonly GqlSchema _schema;
    private readonly GqlQueryDocument _doc;
    private readonly Dictionary<string, GqlFragment> _fragments = new(StringComparer.Ordinal);
    private HashSet<string> _usedVariables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedFragments = new(StringComparer.Ordinal);
    private HashSet<string> _visiting = new(StringComparer.Ordinal);
    private int _steps;

    private GqlValidator(GqlSchema schema, GqlQueryDocument doc)
    {
        _schema = schema;
        _doc = doc;
    }

    public static void Validate(GqlSchema schema, GqlQueryDocument doc) => new GqlValidator(schema, doc).Run();

    private static GqlException Error(string message, int line, int column) => new(message, line, column);

    private void Run()
    {
        foreach (var fragment in _doc.Fragments)
        {
            if (!_fragments.TryAdd(fragment.Name, fragment))
            {
                throw Error($"There can be only one fragment named \"{fragment.Name}\".", fragment.Line, fragment.Column);
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var operation in _doc.Operations)
        {
            if (operation.Name.Length == 0 && _doc.Operations.Count > 1)
            {
                throw Error("This anonymous operation must be the only defined operation.", operation.Line, operation.Column);
            }

            if (operation.Name.Length > 0 && !names.Add(operation.Name))
            {
                throw Error($"There can be only one operation named \"{operation.Name}\".", operation.Line, operation.Column);
            }

            var root = operation.Operation switch
            {
                "query" => _schema.Query,
                "mutation" => _schema.Mutation,
                _ => _schema.Subscription,
            } ?? throw Error($"Schema does not support operation type \"{operation.Operation}\"", operation.Line, operation.Column);

            var defined = new Dictionary<string, GqlVariableDefinition>(StringComparer.Ordinal);
            foreach (var variable in operation.VariableDefinitions)
            {
                if (!defined.TryAdd(variable.Variable, variable))
                {
                    throw Error($"There can be only one variable named \"${variable.Variable}\".", variable.Line, variable.Column);
                }

                if (!_schema.Types.TryGetValue(variable.Type.BaseName, out var type))
                {
                    throw Error($"Unknown type \"{variable.Type.BaseName}\".", variable.Line, variable.Column);
                }

                if (type.Kind is not ("SCALAR" or "ENUM" or "INPUT_OBJECT"))
                {
                    throw Error($"Variable \"${variable.Variable}\" cannot be non-input type \"{variable.Type}\".", variable.Line, variable.Column);
                }

                if (variable.DefaultValue is not null)
                {
                    CheckValue(variable.DefaultValue, variable.Type);
                }

                CheckDirectives(variable.Directives, "VARIABLE_DEFINITION");
            }

            _usedVariables = new HashSet<string>(StringComparer.Ordinal);
            _visiting = new HashSet<string>(StringComparer.Ordinal);
            CheckDirectives(operation.Directives, operation.Operation.ToUpperInvariant());
            CheckSelections(operation.SelectionSet, root);
            foreach (var used in _usedVariables)
            {
                if (!defined.ContainsKey(used))
                {
                    throw Error($"Variable \"${used}\" is not defined.", operation.Line, operation.Column);
                }
            }

            foreach (var variable in operation.VariableDefinitions)
            {
                if (!_usedVariables.Contains(variable.Variable))
                {
                    throw Error($"Variable \"${variable.Variable}\" is never used.", variable.Line, variable.Column);
                }
            }
        }

        foreach (var fragment in _doc.Fragments)
        {
            if (!_usedFragments.Contains(fragment.Name))
            {
                throw Error($"Fragment \"{fragment.Name}\" is never used.", fragment.Line, fragment.Column);
            }
        }
    }

    private void CheckSelections(List<GqlSelection> selections, GqlDefinition parent)
    {
        if (++_steps > 100_000)
        {
            throw Error("query is too complex to validate", 0, 0);
        }

        foreach (var selection in selections)
        {
            switch (selection)
            {
                case GqlField field:
                    CheckField(field, parent);
                    break;
                case GqlFragmentSpread spread:
                    if (!_fragments.TryGetValue(spread.Name, out var fragment))
                    {
                        throw Error($"Unknown fragment \"{spread.Name}\".", spread.Line, spread.Column);
                    }

                    _usedFragments.Add(spread.Name);
                    CheckDirectives(spread.Directives, "FRAGMENT_SPREAD");
                    if (!_visiting.Add(spread.Name))
                    {
                        throw Error($"Cannot spread fragment \"{spread.Name}\" within itself.", spread.Line, spread.Column);
                    }

                    CheckSelections(fragment.SelectionSet, TypeCondition(fragment.TypeCondition, fragment.Line, fragment.Column));
                    CheckDirectives(fragment.Directives, "FRAGMENT_DEFINITION");
                    _visiting.Remove(spread.Name);
                    break;
                case GqlInlineFragment inline:
                    CheckDirectives(inline.Directives, "INLINE_FRAGMENT");
                    CheckSelections(inline.SelectionSet, inline.TypeCondition.Length == 0 ? parent : TypeCondition(inline.TypeCondition, inline.Line, inline.Column));
                    break;
            }
        }
    }

    private GqlDefinition TypeCondition(string name, int line, int column)
    {
        if (!_schema.Types.TryGetValue(name, out var type))
        {
            throw Error($"Unknown type \"{name}\".", line, column);
        }

        return type.Kind is "OBJECT" or "INTERFACE" or "UNION"
            ? type
            : throw Error($"Fragment cannot condition on non composite type \"{name}\".", line, column);
    }

    private void CheckField(GqlField field, GqlDefinition parent)
    {
        if (field.Name == "__typename")
        {
            return;
        }

        var definition = parent.Fields.FirstOrDefault(f => f.Name == field.Name);
        if (definition is null || parent.Kind == "UNION")
        {
            throw Error($"Cannot query field \"{field.Name}\" on type \"{parent.Name}\".", field.Line, field.Column);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in field.Arguments)
        {
            if (!seen.Add(argument.Name))
            {
                throw Error($"There can be only one argument named \"{argument.Name}\".", argument.Line, argument.Column);
            }

            var argDef = definition.Arguments.FirstOrDefault(a => a.Name == argument.Name)
                ?? throw Error($"Unknown argument \"{argument.Name}\" on field \"{parent.Name}.{field.Name}\".", argument.Line, argument.Column);
            if (argument.Value is not null)
            {
                CheckValue(argument.Value, argDef.Type);
            }
        }

        foreach (var argDef in definition.Arguments)
        {
            if (argDef.Type.NonNull && argDef.DefaultValue is null && !field.Arguments.Any(a => a.Name == argDef.Name))
            {
                throw Error($"Field \"{field.Name}\" argument \"{argDef.Name}\" of type \"{argDef.Type}\" is required, but it was not provided.", field.Line, field.Column);
            }
        }

        CheckDirectives(field.Directives, "FIELD");
        var type = _schema.Types[definition.Type.BaseName];
        if (type.Kind is "SCALAR" or "ENUM")
        {
            if (field.SelectionSet.Count > 0)
            {
                throw Error($"Field \"{field.Name}\" must not have a selection since type \"{definition.Type}\" has no subfields.", field.Line, field.Column);
            }
        }
        else
        {
            if (field.SelectionSet.Count == 0)
            {
                throw Error($"Field \"{field.Name}\" of type \"{definition.Type}\" must have a selection of subfields.", field.Line, field.Column);
            }

            CheckSelections(field.SelectionSet, type);
        }
    }

    private void CheckDirectives(List<GqlDirective> directives, string location)
    {
        foreach (var directive in directives)
        {
            if (!_schema.Directives.TryGetValue(directive.Name, out var definition))
            {
                throw Error($"Unknown directive \"@{directive.Name}\".", directive.Line, directive.Column);
            }

            if (!definition.Locations.Contains(location))
            {
                throw Error($"Directive \"@{directive.Name}\" may not be used on {location}.", directive.Line, directive.Column);
            }

            foreach (var argument in directive.Arguments)
            {
                var argDef = definition.Arguments.FirstOrDefault(a => a.Name == argument.Name)
                    ?? throw Error($"Unknown argument \"{argument.Name}\" on directive \"@{directive.Name}\".", argument.Line, argument.Column);
                if (argument.Value is not null)
                {
                    CheckValue(argument.Value, argDef.Type);
                }
            }

            foreach (var argDef in definition.Arguments)
            {
                if (argDef.Type.NonNull && argDef.DefaultValue is null && !directive.Arguments.Any(a => a.Name == argDef.Name))
                {
                    throw Error($"Directive \"@{directive.Name}\" argument \"{argDef.Name}\" of type \"{argDef.Type}\" is required, but it was not provided.", directive.Line, directive.Column);
                }
            }
        }
    }

    private void CheckValue(GqlValue value, GqlType type)
    {
        if (value.Kind == GqlValue.Variable)
        {
            _usedVariables.Add(value.Raw);
            return;
        }

        if (value.Kind == GqlValue.Null)
        {
            if (type.NonNull)
            {
                throw Error($"Expected value of type \"{type}\", found null.", value.Line, value.Column);
            }

            return;
        }

        if (type.Elem is not null)
        {
            if (value.Kind == GqlValue.List)
            {
                foreach (var (_, item) in value.Children)
                {
                    CheckValue(item, type.Elem);
                }
            }
            else
            {
                CheckValue(value, type.Elem with { NonNull = type.Elem.NonNull });
            }

            return;
        }

        if (!_schema.Types.TryGetValue(type.NamedType, out var definition))
        {
            return;
        }

        var ok = definition.Kind switch
        {
            "ENUM" => value.Kind == GqlValue.Enum && definition.EnumValues.Any(e => e.Name == value.Raw),
            "INPUT_OBJECT" => value.Kind == GqlValue.Object,
            _ => definition.Name switch
            {
                "Int" => value.Kind == GqlValue.Int,
                "Float" => value.Kind is GqlValue.Int or GqlValue.Float,
                "String" => value.Kind is GqlValue.String or GqlValue.Block,
                "Boolean" => value.Kind == GqlValue.Boolean,
                "ID" => value.Kind is GqlValue.String or GqlValue.Block or GqlValue.Int,
                _ => true,
            },
        };
        if (!ok)
        {
            throw Error($"{(value.Kind is GqlValue.String or GqlValue.Block ? Strings.GoQuote(value.Raw) : value.Raw)} is not a valid value for type \"{type.NamedType}\".", value.Line, value.Column);
        }

        if (definition.Kind == "INPUT_OBJECT")
        {
            foreach (var (name, child) in value.Children)
            {
                var field = definition.Fields.FirstOrDefault(f => f.Name == name)
                    ?? throw Error($"Field \"{name}\" is not defined by type \"{definition.Name}\".", child.Line, child.Column);
                CheckValue(child, field.Type);
            }

            foreach (var field in definition.Fields)
            {
                if (field.Type.NonNull && field.DefaultValue is null && !value.Children.Any(c => c.Name == field.Name))
                {
                    throw Error($"Field \"{definition.Name}.{field.Name}\" of required type \"{field.Type}\" was not provided.", value.Line, value.Column);
                }
            }
        }
    }
}
