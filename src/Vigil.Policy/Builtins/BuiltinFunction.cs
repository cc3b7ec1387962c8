using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>A builtin function: returns its result, or <c>null</c> for undefined.</summary>
/// <remarks>
/// Throw <see cref="BuiltinTypeException"/> for an operand of the wrong type (eval_type_error) and
/// <see cref="BuiltinErrorException"/> for any other failure (eval_builtin_error); the evaluator adds the builtin's name.
/// </remarks>
public delegate Value? BuiltinFunction(BuiltinContext context, ReadOnlySpan<Value> args);

/// <summary>A relation builtin (such as <c>walk</c>): yields zero or more outputs for one input.</summary>
public delegate IEnumerable<Value> BuiltinRelation(BuiltinContext context, ReadOnlySpan<Value> args);
