using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Builtins.Core;

/// <summary>Calls a builtin of <see cref="BuiltinTable.Default"/> directly with values.</summary>
internal static class BuiltinCall
{
    public static Value? Call(string name, params Value[] args)
    {
        Assert.True(BuiltinTable.Default.TryGet(name, out var definition), $"builtin {name} is not registered");
        Assert.Equal(definition.Arity, args.Length);
        Assert.NotNull(definition.Function);
        return definition.Function(new BuiltinContext(), args);
    }

    /// <summary>Calls with JSON-encoded operands and returns the result as Rego text ("undefined" when undefined).</summary>
    public static string Json(string name, params string[] jsonArgs)
    {
        var result = Call(name, [.. jsonArgs.Select(static j => Value.FromJson(j))]);
        return result is null ? "undefined" : result.ToString();
    }

    public static string Error(string name, params string[] jsonArgs)
    {
        try
        {
            var result = Call(name, [.. jsonArgs.Select(static j => Value.FromJson(j))]);
            return "no error: " + (result?.ToString() ?? "undefined");
        }
        catch (BuiltinTypeException e)
        {
            return "type: " + e.Message;
        }
        catch (BuiltinErrorException e)
        {
            return "builtin: " + e.Message;
        }
    }
}
