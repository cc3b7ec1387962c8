using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>An operand had the wrong type: becomes <c>eval_type_error</c> "NAME: operand N must be T but got U".</summary>
public sealed class BuiltinTypeException : Exception
{
    public BuiltinTypeException(int operand, string expected, Value actual)
        : base($"operand {operand} must be {expected} but got {actual.TypeName}")
    {
        Operand = operand;
    }

    public BuiltinTypeException(string message)
        : base(message)
    {
    }

    /// <summary>1-based operand position, or 0 when not tied to one.</summary>
    public int Operand { get; }
}

/// <summary>A builtin failed for a reason other than operand type: becomes <c>eval_builtin_error</c> "NAME: message".</summary>
public sealed class BuiltinErrorException : Exception
{
    public BuiltinErrorException(string message)
        : base(message)
    {
    }

    public BuiltinErrorException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
