using Microsoft.Extensions.Time.Testing;
using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>Calls builtins through the default table, as the evaluator does.</summary>
internal static class BuiltinHarness
{
    public static Value? Call(string name, params Value[] args) => CallWith(new BuiltinContext(), name, args);

    public static Value? CallAt(DateTimeOffset now, string name, params Value[] args) =>
        CallWith(new BuiltinContext(new FakeTimeProvider(now)), name, args);

    public static Value? CallWith(BuiltinContext context, string name, params Value[] args)
    {
        Assert.True(BuiltinTable.Default.TryGet(name, out var definition), $"builtin {name} is not registered");
        Assert.Equal(definition.Arity, args.Length);
        Assert.NotNull(definition.Function);
        return definition.Function(context, args);
    }

    public static Value Json(string json) => Value.FromJson(json);

    public static Value S(string s) => Value.From(s);

    public static Value N(long n) => Value.From(n);

    public static string Error(string name, params Value[] args) =>
        Assert.Throws<BuiltinErrorException>(() => Call(name, args)).Message;

    public static string TypeError(string name, params Value[] args) =>
        Assert.Throws<BuiltinTypeException>(() => Call(name, args)).Message;
}
