namespace Vigil.Policy;

/// <summary>OPA's error codes.</summary>
public static class PolicyErrorCodes
{
    public const string ParseError = "rego_parse_error";
    public const string CompileError = "rego_compile_error";
    public const string TypeError = "rego_type_error";
    public const string UnsafeVarError = "rego_unsafe_var_error";
    public const string RecursionError = "rego_recursion_error";
    public const string EvalConflictError = "eval_conflict_error";
    public const string EvalTypeError = "eval_type_error";
    public const string EvalBuiltinError = "eval_builtin_error";
    public const string EvalCancelError = "eval_cancel_error";
    public const string EvalLimitError = "eval_limit_error";

    /// <summary>Vigil's own: the formatter could not prove its output equivalent to the input (the file is left as is).</summary>
    public const string FormatError = "rego_format_error";
}
