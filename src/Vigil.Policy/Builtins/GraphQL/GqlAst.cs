namespace Vigil.Policy.Builtins.GraphQL;

// A small typed AST mirroring the shape of gqlparser's, which OPA exposes as objects.
internal sealed record GqlType(string NamedType, GqlType? Elem, bool NonNull)
{
    public string BaseName => Elem?.BaseName ?? NamedType;

    public override string ToString() => (Elem is null ? NamedType : "[" + Elem + "]") + (NonNull ? "!" : string.Empty);
}

internal sealed record GqlValue(int Kind, string Raw, List<(string Name, GqlValue Value)> Children, int Line, int Column)
{
    public const int Variable = 0;
    public const int Int = 1;
    public const int Float = 2;
    public const int String = 3;
    public const int Block = 4;
    public const int Boolean = 5;
    public const int Null = 6;
    public const int Enum = 7;
    public const int List = 8;
    public const int Object = 9;
}

internal sealed record GqlDirective(string Name, List<GqlArgument> Arguments, int Line, int Column);

internal sealed record GqlArgument(string Name, GqlValue? Value, int Line, int Column);

internal abstract record GqlSelection(int Line, int Column);

internal sealed record GqlField(string Alias, string Name, List<GqlArgument> Arguments, List<GqlDirective> Directives, List<GqlSelection> SelectionSet, int Line, int Column) : GqlSelection(Line, Column);

internal sealed record GqlFragmentSpread(string Name, List<GqlDirective> Directives, int Line, int Column) : GqlSelection(Line, Column);

internal sealed record GqlInlineFragment(string TypeCondition, List<GqlDirective> Directives, List<GqlSelection> SelectionSet, int Line, int Column) : GqlSelection(Line, Column);

internal sealed record GqlVariableDefinition(string Variable, GqlType Type, GqlValue? DefaultValue, List<GqlDirective> Directives, int Line, int Column);

internal sealed record GqlOperation(string Operation, string Name, List<GqlVariableDefinition> VariableDefinitions, List<GqlDirective> Directives, List<GqlSelection> SelectionSet, int Line, int Column);

internal sealed record GqlFragment(string Name, List<GqlVariableDefinition> VariableDefinition, string TypeCondition, List<GqlDirective> Directives, List<GqlSelection> SelectionSet, int Line, int Column);

internal sealed class GqlQueryDocument
{
    public List<GqlOperation> Operations { get; } = [];

    public List<GqlFragment> Fragments { get; } = [];
}

internal sealed record GqlArgumentDefinition(string Description, string Name, GqlValue? DefaultValue, GqlType Type, List<GqlDirective> Directives);

internal sealed record GqlFieldDefinition(string Description, string Name, List<GqlArgumentDefinition> Arguments, GqlValue? DefaultValue, GqlType Type, List<GqlDirective> Directives);

internal sealed record GqlEnumValue(string Description, string Name, List<GqlDirective> Directives);

internal sealed record GqlDefinition(string Kind, string Description, string Name, List<GqlDirective> Directives, List<string> Interfaces, List<GqlFieldDefinition> Fields, List<string> Types, List<GqlEnumValue> EnumValues, bool BuiltIn, int Line, int Column);

internal sealed record GqlDirectiveDefinition(string Description, string Name, List<GqlArgumentDefinition> Arguments, List<string> Locations, bool IsRepeatable, int Line, int Column);

internal sealed record GqlSchemaDefinition(string Description, List<GqlDirective> Directives, List<(string Operation, string Type)> OperationTypes);

internal sealed class GqlSchemaDocument
{
    public List<GqlSchemaDefinition> Schema { get; } = [];

    public List<GqlSchemaDefinition> SchemaExtension { get; } = [];

    public List<GqlDirectiveDefinition> Directives { get; } = [];

    public List<GqlDefinition> Definitions { get; } = [];

    public List<GqlDefinition> Extensions { get; } = [];
}
