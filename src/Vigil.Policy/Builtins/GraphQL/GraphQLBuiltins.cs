using System.Collections.Concurrent;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins.GraphQL;

/// <summary>graphql.* builtins: parse queries and schemas into OPA's AST objects, and validate queries against schemas.</summary>
internal static class GraphQLBuiltins
{
    /// <summary>Largest document accepted (a hostile multi-megabyte document must not be parsed).</summary>
    private const int MaxLength = 1 << 20;

    // Schemas are usually policy constants checked on every request: parsed and built schemas are
    // cached by text (bounded). The typed AST is never mutated after parsing, so sharing is safe.
    private const int MaxCached = 64;
    private static readonly ConcurrentDictionary<string, GqlSchemaDocument> SchemaDocuments = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, GqlSchema> Schemas = new(StringComparer.Ordinal);

    public static void Register(BuiltinTable table)
    {
        table.Add("graphql.parse_query", [T.String], T.Object, static (_, a) => GqlJson.ToValue(ParseQuery(Args.String(a, 0))));
        table.Add("graphql.parse_schema", [T.String], T.Object, static (_, a) => GqlJson.ToValue(ParseSchema(Args.String(a, 0))));
        table.Add("graphql.schema_is_valid", [T.String | T.Object], T.Boolean, static (_, a) =>
        {
            var schema = a[0];
            return Value.From(TryValid(() => BuildSchema(schema, 1)));
        });
        table.Add("graphql.is_valid", [T.String | T.Object, T.String | T.Object], T.Boolean, static (_, a) =>
        {
            var queryValue = a[0];
            var schemaValue = a[1];
            return Value.From(TryValid(() =>
            {
                var query = QueryOperand(queryValue, 1);
                GqlValidator.Validate(BuildSchema(schemaValue, 2), query);
                return query;
            }));
        });
        table.Add("graphql.parse", [T.String | T.Object, T.String | T.Object], T.Array, static (_, a) =>
        {
            var query = QueryOperand(a[0], 1);
            var schemaDoc = SchemaOperand(a[1], 2);
            GqlSchema schema;
            try
            {
                schema = GqlSchema.Build(schemaDoc);
            }
            catch (GqlException e)
            {
                throw new BuiltinErrorException("Error in gqlparser SchemaDocument to Schema conversion: " + e.Message);
            }

            try
            {
                GqlValidator.Validate(schema, query);
            }
            catch (GqlException e)
            {
                throw new BuiltinErrorException($"{e.Message.TrimEnd('.')} in GraphQL string at location {e.Line}:{e.Column}");
            }

            return ArrayValue.Create(GqlJson.ToValue(query), GqlJson.ToValue(schemaDoc));
        });
        table.Add("graphql.parse_and_verify", [T.String | T.Object, T.String | T.Object], T.Array, static (_, a) =>
        {
            try
            {
                var query = QueryOperand(a[0], 1);
                var schemaDoc = SchemaOperand(a[1], 2);
                GqlValidator.Validate(BuildSchema(a[1], 2), query);
                return ArrayValue.Create(Value.True, GqlJson.ToValue(query), GqlJson.ToValue(schemaDoc));
            }
            catch (Exception e) when (e is BuiltinErrorException or BuiltinTypeException or GqlException)
            {
                return ArrayValue.Create(Value.False, ObjectValue.Empty, ObjectValue.Empty);
            }
        });
    }

    private static bool TryValid<TResult>(Func<TResult> action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is BuiltinErrorException or BuiltinTypeException or GqlException)
        {
            return false;
        }
    }

    private static void CheckLength(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new BuiltinErrorException($"GraphQL document too large (more than {MaxLength} characters)");
        }
    }

    private static BuiltinErrorException Located(GqlException e) =>
        new($"{e.Message} in GraphQL string at location {e.Line}:{e.Column}");

    private static GqlQueryDocument ParseQuery(string text)
    {
        CheckLength(text);
        try
        {
            return GqlParser.ParseQuery(text);
        }
        catch (GqlException e)
        {
            throw Located(e);
        }
    }

    private static GqlSchema BuildSchema(Value value, int operand)
    {
        if (value is StringValue s && Schemas.TryGetValue(s.Value, out var cached))
        {
            return cached;
        }

        var schema = GqlSchema.Build(SchemaOperand(value, operand));
        if (value is StringValue text)
        {
            if (Schemas.Count >= MaxCached)
            {
                Schemas.Clear();
            }

            Schemas[text.Value] = schema;
        }

        return schema;
    }

    private static GqlSchemaDocument ParseSchema(string text)
    {
        CheckLength(text);
        if (SchemaDocuments.TryGetValue(text, out var cached))
        {
            return cached;
        }

        try
        {
            var doc = GqlParser.ParseSchema(text);
            if (SchemaDocuments.Count >= MaxCached)
            {
                SchemaDocuments.Clear();
            }

            SchemaDocuments[text] = doc;
            return doc;
        }
        catch (GqlException e)
        {
            throw Located(e);
        }
    }

    private static GqlQueryDocument QueryOperand(Value value, int operand) => value switch
    {
        StringValue s => ParseQuery(s.Value),
        ObjectValue o => GqlJson.QueryFromValue(o),
        _ => throw new BuiltinTypeException(operand, "one of {string, object}", value),
    };

    private static GqlSchemaDocument SchemaOperand(Value value, int operand) => value switch
    {
        StringValue s => ParseSchema(s.Value),
        ObjectValue o => GqlJson.SchemaFromValue(o),
        _ => throw new BuiltinTypeException(operand, "one of {string, object}", value),
    };
}
