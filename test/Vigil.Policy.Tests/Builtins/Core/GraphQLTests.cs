using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Core.BuiltinCall;

namespace Vigil.Policy.Tests.Builtins.Core;

public sealed class GraphQLTests
{
    private const string Schema = """
        type Query { user(id: ID!): User }
        type User { id: ID! name: String friends: [User!] }
        """;

    [Fact]
    public void ParseQuery_SimpleQuery_ReturnsPrunedAst() =>
        Assert.Equal(
            "{\"Operations\": [{\"Name\": \"\", \"Operation\": \"query\", \"SelectionSet\": [{\"Alias\": \"f\", \"Name\": \"f\"}]}]}",
            Call("graphql.parse_query", Value.From("{ f }"))!.ToString());

    [Theory]
    [InlineData("{ user(id: \"1\") { name friends { id } } }", true)]
    [InlineData("{ user { name } }", false)]
    [InlineData("{ user(id: \"1\") { nope } }", false)]
    [InlineData("query Q($id: ID!) { user(id: $id) { name } }", true)]
    [InlineData("query Q($id: ID!, $unused: Int) { user(id: $id) { name } }", false)]
    [InlineData("{ user(id: \"1\") }", false)]
    public void IsValid_ValidatesAgainstSchema(string query, bool expected) =>
        Assert.Equal(Value.From(expected), Call("graphql.is_valid", Value.From(query), Value.From(Schema)));

    [Fact]
    public void Parse_MissingRequiredArgument_ReportsLocation()
    {
        var e = Assert.Throws<BuiltinErrorException>(() => Call("graphql.parse", Value.From("{\n  user { name }\n}"), Value.From(Schema)));
        Assert.Equal("Field \"user\" argument \"id\" of type \"ID!\" is required, but it was not provided in GraphQL string at location 2:3", e.Message);
    }

    [Fact]
    public void ParseQuery_DeeplyNestedHostileInput_FailsWithoutCrashing()
    {
        var query = new string('{', 100_000);
        Assert.Throws<BuiltinErrorException>(() => Call("graphql.parse_query", Value.From(query)));
        var list = "{ f(a: " + new string('[', 100_000) + ") }";
        Assert.Throws<BuiltinErrorException>(() => Call("graphql.parse_query", Value.From(list)));
    }

    [Fact]
    public void SchemaIsValid_InterfaceNotFullyImplemented_IsFalse() =>
        Assert.Equal(Value.False, Call("graphql.schema_is_valid", Value.From("interface I { id: ID! } type A implements I { name: String }")));
}
