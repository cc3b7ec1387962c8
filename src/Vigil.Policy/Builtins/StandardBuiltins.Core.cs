namespace Vigil.Policy.Builtins;

internal static partial class StandardBuiltins
{
    static partial void RegisterCore(BuiltinTable table)
    {
        Comparison.Register(table);
        Arithmetic.Register(table);
        Numbers.Register(table);
        Bits.Register(table);
        Aggregates.Register(table);
        Arrays.Register(table);
        Objects.Register(table);
        Sets.Register(table);
        Strings.Register(table);
        Sprintf.Register(table);
        Template.Register(table);
        Types.Register(table);
        Casts.Register(table);
        Encodings.Register(table);
        Yaml.Register(table);
        RegexBuiltins.Register(table);
        Glob.Register(table);
        Units.Register(table);
        JsonPatch.Register(table);
        JsonSchema.Register(table);
        Semver.Register(table);
        Uuid.Register(table);
        Walk.Register(table);
        Graph.Register(table);
        Opa.Register(table);
        Http.Register(table);
        Rego.Register(table);
        GraphQL.GraphQLBuiltins.Register(table);
    }
}
