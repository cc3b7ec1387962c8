namespace Vigil.Policy.Builtins.GraphQL;

/// <summary>Recursive-descent GraphQL parser with gqlparser's grammar decisions and error messages.</summary>
internal sealed class GqlParser
{
    private static readonly HashSet<string> DirectiveLocations =
    [
        "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INTERFACE",
        "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION",
    ];

    private const int MaxDepth = 500;

    private readonly GqlLexer _lexer;
    private GqlToken? _peeked;
    private GqlToken _prev;
    private int _depth;

    private GqlParser(string input) => _lexer = new GqlLexer(input);

    public static GqlQueryDocument ParseQuery(string input) => new GqlParser(input).QueryDocument();

    public static GqlSchemaDocument ParseSchema(string input) => new GqlParser(input).SchemaDocument();

    private GqlToken Peek() => _peeked ??= _lexer.Next();

    private GqlToken Next()
    {
        var token = Peek();
        _peeked = null;
        _prev = token;
        return token;
    }

    private static GqlException Error(GqlToken at, string message) => new(message, at.Line, at.Column);

    private GqlException Unexpected(GqlToken? token = null)
    {
        var t = token ?? Peek();
        return Error(t, "Unexpected " + t);
    }

    private GqlToken Expect(GqlTokenKind kind)
    {
        var token = Peek();
        if (token.Kind != kind)
        {
            throw Error(token, $"Expected {GqlToken.KindName(kind)}, found {GqlToken.KindName(token.Kind)}");
        }

        return Next();
    }

    private void ExpectKeyword(string value)
    {
        var token = Peek();
        if (token.Kind != GqlTokenKind.Name || token.Value != value)
        {
            throw Error(token, $"Expected {Strings.GoQuote(value)}, found {token}");
        }

        Next();
    }

    private bool Skip(GqlTokenKind kind)
    {
        if (Peek().Kind != kind)
        {
            return false;
        }

        Next();
        return true;
    }

    private List<T> Many<T>(GqlTokenKind start, GqlTokenKind end, Func<T> item)
    {
        var items = new List<T>();
        if (!Skip(start))
        {
            return items;
        }

        while (Peek().Kind != end)
        {
            if (Peek().Kind == GqlTokenKind.Eof)
            {
                items.Add(item()); // reports the proper "Expected ..." error at EOF
                continue;
            }

            items.Add(item());
        }

        Next();
        return items;
    }

    private List<T> Some<T>(GqlTokenKind start, GqlTokenKind end, Func<T> item)
    {
        var items = new List<T>();
        if (!Skip(start))
        {
            return items;
        }

        while (Peek().Kind != end)
        {
            items.Add(item());
        }

        if (items.Count == 0)
        {
            throw Error(Peek(), $"expected at least one definition, found {GqlToken.KindName(Peek().Kind)}");
        }

        Next();
        return items;
    }

    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw Error(Peek(), "document is nested too deeply");
        }
    }

    private string Name() => Expect(GqlTokenKind.Name).Value;

    // ---- Queries ----
    private GqlQueryDocument QueryDocument()
    {
        var doc = new GqlQueryDocument();
        while (Peek().Kind != GqlTokenKind.Eof)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case GqlTokenKind.Name when token.Value is "query" or "mutation" or "subscription":
                    doc.Operations.Add(OperationDefinition());
                    break;
                case GqlTokenKind.Name when token.Value == "fragment":
                    doc.Fragments.Add(FragmentDefinition());
                    break;
                case GqlTokenKind.BraceL:
                    doc.Operations.Add(OperationDefinition());
                    break;
                default:
                    throw Unexpected();
            }
        }

        return doc;
    }

    private GqlOperation OperationDefinition()
    {
        var start = Peek();
        if (start.Kind == GqlTokenKind.BraceL)
        {
            return new GqlOperation("query", string.Empty, [], [], RequiredSelectionSet(), start.Line, start.Column);
        }

        var operation = OperationType();
        var name = Peek().Kind == GqlTokenKind.Name ? Next().Value : string.Empty;
        var variables = Many(GqlTokenKind.ParenL, GqlTokenKind.ParenR, VariableDefinition);
        var directives = Directives(false);
        return new GqlOperation(operation, name, variables, directives, RequiredSelectionSet(), start.Line, start.Column);
    }

    private string OperationType()
    {
        var token = Next();
        return token.Value is "query" or "mutation" or "subscription" ? token.Value : throw Unexpected(token);
    }

    private GqlVariableDefinition VariableDefinition()
    {
        var start = Peek();
        Expect(GqlTokenKind.Dollar);
        var name = Name();
        Expect(GqlTokenKind.Colon);
        var type = TypeReference();
        var defaultValue = Skip(GqlTokenKind.Equals) ? ValueLiteral(true) : null;
        return new GqlVariableDefinition(name, type, defaultValue, Directives(false), start.Line, start.Column);
    }

    private List<GqlSelection> RequiredSelectionSet()
    {
        if (Peek().Kind != GqlTokenKind.BraceL)
        {
            throw Error(Peek(), $"Expected {{, found {GqlToken.KindName(Peek().Kind)}");
        }

        Enter();
        var set = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, Selection);
        _depth--;
        return set;
    }

    private GqlSelection Selection() => Peek().Kind == GqlTokenKind.Spread ? Fragment() : Field();

    private GqlField Field()
    {
        var start = Peek();
        var alias = Name();
        var name = Skip(GqlTokenKind.Colon) ? Name() : alias;
        var arguments = Arguments(false);
        var directives = Directives(false);
        var selections = Peek().Kind == GqlTokenKind.BraceL ? RequiredSelectionSet() : [];
        return new GqlField(alias, name, arguments, directives, selections, start.Line, start.Column);
    }

    private List<GqlArgument> Arguments(bool isConst) => Many(GqlTokenKind.ParenL, GqlTokenKind.ParenR, () =>
    {
        var start = Peek();
        var name = Name();
        Expect(GqlTokenKind.Colon);
        return new GqlArgument(name, ValueLiteral(isConst), start.Line, start.Column);
    });

    private GqlSelection Fragment()
    {
        Expect(GqlTokenKind.Spread);
        var peek = Peek();
        if (peek.Kind == GqlTokenKind.Name && peek.Value != "on")
        {
            return new GqlFragmentSpread(FragmentName(), Directives(false), peek.Line, peek.Column);
        }

        var typeCondition = string.Empty;
        if (peek.Value == "on")
        {
            Next();
            typeCondition = Name();
        }

        var directives = Directives(false);
        return new GqlInlineFragment(typeCondition, directives, RequiredSelectionSet(), peek.Line, peek.Column);
    }

    private GqlFragment FragmentDefinition()
    {
        var start = Peek();
        ExpectKeyword("fragment");
        var name = FragmentName();
        var variables = Many(GqlTokenKind.ParenL, GqlTokenKind.ParenR, VariableDefinition);
        ExpectKeyword("on");
        var typeCondition = Name();
        var directives = Directives(false);
        return new GqlFragment(name, variables, typeCondition, directives, RequiredSelectionSet(), start.Line, start.Column);
    }

    private string FragmentName() => Peek().Value == "on" ? throw Unexpected() : Name();

    private GqlValue ValueLiteral(bool isConst)
    {
        var token = Peek();
        int kind;
        switch (token.Kind)
        {
            case GqlTokenKind.BracketL:
                Enter();
                var items = Many(GqlTokenKind.BracketL, GqlTokenKind.BracketR, () => (string.Empty, ValueLiteral(isConst)));
                _depth--;
                return new GqlValue(GqlValue.List, string.Empty, items, token.Line, token.Column);
            case GqlTokenKind.BraceL:
                Enter();
                var fields = Many(GqlTokenKind.BraceL, GqlTokenKind.BraceR, () =>
                {
                    var name = Name();
                    Expect(GqlTokenKind.Colon);
                    return (name, ValueLiteral(isConst));
                });
                _depth--;
                return new GqlValue(GqlValue.Object, string.Empty, fields, token.Line, token.Column);
            case GqlTokenKind.Dollar:
                if (isConst)
                {
                    throw Unexpected();
                }

                Next();
                return new GqlValue(GqlValue.Variable, Name(), [], token.Line, token.Column);
            case GqlTokenKind.Int:
                kind = GqlValue.Int;
                break;
            case GqlTokenKind.Float:
                kind = GqlValue.Float;
                break;
            case GqlTokenKind.String:
                kind = GqlValue.String;
                break;
            case GqlTokenKind.BlockString:
                kind = GqlValue.Block;
                break;
            case GqlTokenKind.Name:
                kind = token.Value switch { "true" or "false" => GqlValue.Boolean, "null" => GqlValue.Null, _ => GqlValue.Enum };
                break;
            default:
                throw Unexpected();
        }

        Next();
        return new GqlValue(kind, token.Value, [], token.Line, token.Column);
    }

    private List<GqlDirective> Directives(bool isConst)
    {
        var directives = new List<GqlDirective>();
        while (Peek().Kind == GqlTokenKind.At)
        {
            Next();
            var start = Peek();
            directives.Add(new GqlDirective(Name(), Arguments(isConst), start.Line, start.Column));
        }

        return directives;
    }

    private GqlType TypeReference()
    {
        Enter();
        GqlType type;
        if (Skip(GqlTokenKind.BracketL))
        {
            var elem = TypeReference();
            Expect(GqlTokenKind.BracketR);
            type = new GqlType(string.Empty, elem, false);
        }
        else
        {
            type = new GqlType(Name(), null, false);
        }

        _depth--;
        return Skip(GqlTokenKind.Bang) ? type with { NonNull = true } : type;
    }

    // ---- Schemas ----
    private GqlSchemaDocument SchemaDocument()
    {
        var doc = new GqlSchemaDocument();
        while (Peek().Kind != GqlTokenKind.Eof)
        {
            var description = string.Empty;
            if (Peek().Kind is GqlTokenKind.BlockString or GqlTokenKind.String)
            {
                description = Next().Value;
            }

            if (Peek().Kind != GqlTokenKind.Name)
            {
                throw Unexpected();
            }

            switch (Peek().Value)
            {
                case "scalar" or "type" or "interface" or "union" or "enum" or "input":
                    doc.Definitions.Add(TypeSystemDefinition(description));
                    break;
                case "schema":
                    doc.Schema.Add(SchemaDefinition(description));
                    break;
                case "directive":
                    doc.Directives.Add(DirectiveDefinition(description));
                    break;
                case "extend":
                    if (description.Length > 0)
                    {
                        throw Unexpected(_prev);
                    }

                    TypeSystemExtension(doc);
                    break;
                default:
                    throw Unexpected();
            }
        }

        return doc;
    }

    private GqlDefinition NewDefinition(string kind, string description, GqlToken at, string name) =>
        new(kind, description, name, [], [], [], [], [], false, at.Line, at.Column);

    private GqlDefinition TypeSystemDefinition(string description)
    {
        var keyword = Next().Value;
        var at = Peek();
        var def = NewDefinition(KindOf(keyword), description, at, Name());
        switch (keyword)
        {
            case "scalar":
                return def with { Directives = Directives(true) };
            case "type" or "interface":
                var interfaces = ImplementsInterfaces();
                var directives = Directives(true);
                return def with { Interfaces = interfaces, Directives = directives, Fields = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, FieldDefinition) };
            case "union":
                var unionDirectives = Directives(true);
                return def with { Directives = unionDirectives, Types = UnionMemberTypes() };
            case "enum":
                var enumDirectives = Directives(true);
                return def with { Directives = enumDirectives, EnumValues = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, EnumValueDefinition) };
            default:
                var inputDirectives = Directives(true);
                return def with { Directives = inputDirectives, Fields = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, InputValueDefinition) };
        }
    }

    private static string KindOf(string keyword) => keyword switch
    {
        "scalar" => "SCALAR",
        "type" => "OBJECT",
        "interface" => "INTERFACE",
        "union" => "UNION",
        "enum" => "ENUM",
        _ => "INPUT_OBJECT",
    };

    private GqlSchemaDefinition SchemaDefinition(string description)
    {
        ExpectKeyword("schema");
        var directives = Directives(true);
        return new GqlSchemaDefinition(description, directives, Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, OperationTypeDefinition));
    }

    private (string, string) OperationTypeDefinition()
    {
        var operation = OperationType();
        Expect(GqlTokenKind.Colon);
        return (operation, Name());
    }

    private List<string> ImplementsInterfaces()
    {
        var types = new List<string>();
        if (Peek().Value == "implements")
        {
            Next();
            Skip(GqlTokenKind.Amp);
            types.Add(Name());
            while (Skip(GqlTokenKind.Amp))
            {
                types.Add(Name());
            }
        }

        return types;
    }

    private GqlFieldDefinition FieldDefinition()
    {
        var description = Description();
        var name = Name();
        var arguments = Some(GqlTokenKind.ParenL, GqlTokenKind.ParenR, ArgumentDefinition);
        Expect(GqlTokenKind.Colon);
        var type = TypeReference();
        return new GqlFieldDefinition(description, name, arguments, null, type, Directives(true));
    }

    private string Description() => Peek().Kind is GqlTokenKind.BlockString or GqlTokenKind.String ? Next().Value : string.Empty;

    private GqlArgumentDefinition ArgumentDefinition()
    {
        var description = Description();
        var name = Name();
        Expect(GqlTokenKind.Colon);
        var type = TypeReference();
        var defaultValue = Skip(GqlTokenKind.Equals) ? ValueLiteral(true) : null;
        return new GqlArgumentDefinition(description, name, defaultValue, type, Directives(true));
    }

    private GqlFieldDefinition InputValueDefinition()
    {
        var description = Description();
        var name = Name();
        Expect(GqlTokenKind.Colon);
        var type = TypeReference();
        var defaultValue = Skip(GqlTokenKind.Equals) ? ValueLiteral(true) : null;
        return new GqlFieldDefinition(description, name, [], defaultValue, type, Directives(true));
    }

    private List<string> UnionMemberTypes()
    {
        var types = new List<string>();
        if (Skip(GqlTokenKind.Equals))
        {
            Skip(GqlTokenKind.Pipe);
            types.Add(Name());
            while (Skip(GqlTokenKind.Pipe))
            {
                types.Add(Name());
            }
        }

        return types;
    }

    private GqlEnumValue EnumValueDefinition()
    {
        var description = Description();
        var name = Name();
        return new GqlEnumValue(description, name, Directives(true));
    }

    private void TypeSystemExtension(GqlSchemaDocument doc)
    {
        ExpectKeyword("extend");
        var keyword = Peek().Value;
        if (keyword == "schema")
        {
            Next();
            var directives = Directives(true);
            var operations = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, OperationTypeDefinition);
            if (directives.Count == 0 && operations.Count == 0)
            {
                throw Unexpected();
            }

            doc.SchemaExtension.Add(new GqlSchemaDefinition(string.Empty, directives, operations));
            return;
        }

        if (keyword is not ("scalar" or "type" or "interface" or "union" or "enum" or "input"))
        {
            throw Unexpected();
        }

        Next();
        var at = Peek();
        var def = NewDefinition(KindOf(keyword), string.Empty, at, Name());
        bool empty;
        switch (keyword)
        {
            case "scalar":
                def = def with { Directives = Directives(true) };
                empty = def.Directives.Count == 0;
                break;
            case "type":
                var interfaces = ImplementsInterfaces();
                var directives = Directives(true);
                def = def with { Interfaces = interfaces, Directives = directives, Fields = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, FieldDefinition) };
                empty = def.Interfaces.Count == 0 && def.Directives.Count == 0 && def.Fields.Count == 0;
                break;
            case "interface":
                var interfaceDirectives = Directives(true);
                def = def with { Directives = interfaceDirectives, Fields = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, FieldDefinition) };
                empty = def.Directives.Count == 0 && def.Fields.Count == 0;
                break;
            case "union":
                var unionDirectives = Directives(true);
                def = def with { Directives = unionDirectives, Types = UnionMemberTypes() };
                empty = def.Directives.Count == 0 && def.Types.Count == 0;
                break;
            case "enum":
                var enumDirectives = Directives(true);
                def = def with { Directives = enumDirectives, EnumValues = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, EnumValueDefinition) };
                empty = def.Directives.Count == 0 && def.EnumValues.Count == 0;
                break;
            default:
                var inputDirectives = Directives(false);
                def = def with { Directives = inputDirectives, Fields = Some(GqlTokenKind.BraceL, GqlTokenKind.BraceR, InputValueDefinition) };
                empty = def.Directives.Count == 0 && def.Fields.Count == 0;
                break;
        }

        if (empty)
        {
            throw Unexpected();
        }

        doc.Extensions.Add(def);
    }

    private GqlDirectiveDefinition DirectiveDefinition(string description)
    {
        ExpectKeyword("directive");
        Expect(GqlTokenKind.At);
        var at = Peek();
        var name = Name();
        var arguments = Some(GqlTokenKind.ParenL, GqlTokenKind.ParenR, ArgumentDefinition);
        var repeatable = false;
        if (Peek() is { Kind: GqlTokenKind.Name, Value: "repeatable" })
        {
            repeatable = true;
            Next();
        }

        ExpectKeyword("on");
        Skip(GqlTokenKind.Pipe);
        var locations = new List<string> { DirectiveLocation() };
        while (Skip(GqlTokenKind.Pipe))
        {
            locations.Add(DirectiveLocation());
        }

        return new GqlDirectiveDefinition(description, name, arguments, locations, repeatable, at.Line, at.Column);
    }

    private string DirectiveLocation()
    {
        var token = Expect(GqlTokenKind.Name);
        return DirectiveLocations.Contains(token.Value) ? token.Value : throw Unexpected(token);
    }
}
