using System.Numerics;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>
/// Shared operand checks, with OPA's exact error wording: each returns the typed operand or throws
/// (operands are 0-based here, 1-based in messages). Also the builtins' shared result-size limit.
/// </summary>
internal static class Args
{
    /// <summary>Largest string a builtin may build (amplifying builtins such as replace fail instead of exhausting memory).</summary>
    public const long MaxResultLength = 64L * 1024 * 1024;

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

    /// <summary>
    /// An integer operand that must fit in 64 bits; otherwise a builtin (not type) error. Unlike <see cref="Int"/>,
    /// a larger integer is refused, not clamped.
    /// </summary>
    public static long Int64(ReadOnlySpan<Value> args, int i)
    {
        var n = Number(args, i);
        return n.TryGetInt64(out var value) ? value : throw new BuiltinErrorException(NotIntegerMessage(i));
    }

    /// <summary>An integer operand (OPA's IntOperand): a type error when it is a number with a fraction; clamped to 64 bits.</summary>
    public static long Int(ReadOnlySpan<Value> args, int i)
    {
        var n = Number(args, i);
        if (n.TryGetInt64(out var value))
        {
            return value;
        }

        if (n.TryGetExactInteger(out var big))
        {
            return big.Sign < 0 ? long.MinValue : long.MaxValue;
        }

        throw new BuiltinTypeException(NotIntegerMessage(i));
    }

    /// <summary>An integer operand of any size (OPA's BigIntOperand).</summary>
    public static BigInteger BigInt(ReadOnlySpan<Value> args, int i)
    {
        if (args[i] is not NumberValue n)
        {
            throw new BuiltinTypeException(i + 1, "integer", args[i]);
        }

        return n.TryGetExactInteger(out var value) ? value : throw new BuiltinTypeException(NotIntegerMessage(i));
    }

    /// <summary>The strings of an array or set operand (OPA's StringSliceOperand).</summary>
    public static List<string> StringSlice(ReadOnlySpan<Value> args, int i)
    {
        IReadOnlyCollection<Value> items = args[i] switch
        {
            ArrayValue a => a,
            SetValue s => s,
            _ => throw new BuiltinTypeException(i + 1, "one of {array, set}", args[i]),
        };
        var result = new List<string>(items.Count);
        foreach (var item in items)
        {
            result.Add(item is StringValue s ? s.Value : throw ElementError(i + 1, args[i], item, "string"));
        }

        return result;
    }

    /// <summary>"operand N must be array of strings but got array containing number" (OPA's NewOperandElementErr).</summary>
    public static BuiltinTypeException ElementError(int operand, Value composite, Value element, string expected) =>
        new($"operand {operand} must be {composite.TypeName} of {expected}s but got {composite.TypeName} containing {element.TypeName}");

    public static ArrayValue StringArray(IEnumerable<string> items) => ArrayValue.Create(items.Select(static s => (Value)Value.From(s)));

    public static void CheckResultLength(long length)
    {
        if (length > MaxResultLength)
        {
            throw new BuiltinErrorException($"result too large (more than {MaxResultLength} characters)");
        }
    }

    private static string NotIntegerMessage(int i) => $"operand {i + 1} must be integer number but got floating-point number";
}
