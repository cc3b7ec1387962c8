using System.Numerics;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>Shared operand checks: each returns the typed operand or throws <see cref="BuiltinTypeException"/> (operands are 0-based here, 1-based in messages).</summary>
internal static class Args
{
    public static string String(ReadOnlySpan<Value> args, int i) =>
        args[i] is StringValue s ? s.Value : throw new BuiltinTypeException(i + 1, "string", args[i]);

    public static NumberValue Number(ReadOnlySpan<Value> args, int i) =>
        args[i] as NumberValue ?? throw new BuiltinTypeException(i + 1, "number", args[i]);

    public static bool Boolean(ReadOnlySpan<Value> args, int i) =>
        args[i] is BooleanValue b ? b.Value : throw new BuiltinTypeException(i + 1, "boolean", args[i]);

    public static ArrayValue Array(ReadOnlySpan<Value> args, int i) =>
        args[i] as ArrayValue ?? throw new BuiltinTypeException(i + 1, "array", args[i]);

    public static ObjectValue Object(ReadOnlySpan<Value> args, int i) =>
        args[i] as ObjectValue ?? throw new BuiltinTypeException(i + 1, "object", args[i]);

    public static SetValue Set(ReadOnlySpan<Value> args, int i) =>
        args[i] as SetValue ?? throw new BuiltinTypeException(i + 1, "set", args[i]);

    /// <summary>An integer operand (a number with no fractional part that fits in 64 bits).</summary>
    public static long Int64(ReadOnlySpan<Value> args, int i)
    {
        var n = Number(args, i);
        return n.TryGetInt64(out var value) ? value : throw new BuiltinErrorException($"operand {i + 1} must be integer number but got floating-point number");
    }

    /// <summary>An integer operand of any size.</summary>
    public static BigInteger Integer(ReadOnlySpan<Value> args, int i)
    {
        var n = Number(args, i);
        return n.TryGetBigInteger(out var value) ? value : throw new BuiltinErrorException($"operand {i + 1} must be integer number but got floating-point number");
    }

    /// <summary>The members of an array or set operand.</summary>
    public static IEnumerable<Value> ArrayOrSet(ReadOnlySpan<Value> args, int i) => args[i] switch
    {
        ArrayValue a => a,
        SetValue s => s,
        _ => throw new BuiltinTypeException(i + 1, "any<array[any], set[any]>", args[i]),
    };
}
