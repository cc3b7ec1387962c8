namespace Vigil.Policy;

/// <summary>
/// One error from parsing, compiling or evaluating policy, with OPA's stable error code
/// (<c>rego_parse_error</c>, <c>rego_compile_error</c>, <c>rego_type_error</c>, <c>rego_unsafe_var_error</c>,
/// <c>rego_recursion_error</c>, <c>eval_conflict_error</c>, <c>eval_type_error</c>, <c>eval_builtin_error</c>, ...).
/// </summary>
public sealed record PolicyError(string Code, string Message, SourceLocation? Location = null)
{
    /// <summary>Formats as OPA does: <c>file:line: code: message</c>.</summary>
    public override string ToString() =>
        Location is { } l ? $"{l.File}:{l.Line}: {Code}: {Message}" : $"{Code}: {Message}";
}
