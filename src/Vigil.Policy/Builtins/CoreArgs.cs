using System.Numerics;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>Operand helpers used by the core builtins, with OPA's exact error wording.</summary>
internal static class CoreArgs
{
    /// <summary>Largest string a builtin may build (amplifying builtins such as replace fail instead of exhausting memory).</summary>
    public const long MaxResultLength = 64L * 1024 * 1024;

    public static void CheckResultLength(long length)
    {
        if (length > MaxResultLength)
        {
            throw new BuiltinErrorException($"result too large (more than {MaxResultLength} characters)");
        }
    }

    /// <summary>An integer operand (OPA's IntOperand): a type error when it is a number with a fraction.</summary>
    public static long Int(ReadOnlySpan<Value> args, int i)
    {
        var n = Args.Number(args, i);
        if (n.TryGetInt64(out var value))
        {
            return value;
        }

        if (n.TryGetExactInteger(out var big))
        {
            return big.Sign < 0 ? long.MinValue : long.MaxValue;
        }

        throw new BuiltinTypeException($"operand {i + 1} must be integer number but got floating-point number");
    }

    /// <summary>An integer operand of any size (OPA's BigIntOperand).</summary>
    public static BigInteger BigInt(ReadOnlySpan<Value> args, int i)
    {
        if (args[i] is not NumberValue n)
        {
            throw new BuiltinTypeException(i + 1, "integer", args[i]);
        }

        return n.TryGetExactInteger(out var value)
            ? value
            : throw new BuiltinTypeException($"operand {i + 1} must be integer number but got floating-point number");
    }

    /// <summary>"operand N must be array of strings but got array containing number" (OPA's NewOperandElementErr).</summary>
    public static BuiltinTypeException ElementError(int operand, Value composite, Value element, string expected) =>
        new($"operand {operand} must be {composite.TypeName} of {expected}s but got {composite.TypeName} containing {element.TypeName}");

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

    public static ArrayValue StringArray(IEnumerable<string> items) => ArrayValue.Create(items.Select(static s => (Value)Value.From(s)));
}
