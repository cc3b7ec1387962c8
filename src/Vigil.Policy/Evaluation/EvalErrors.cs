namespace Vigil.Policy.Evaluation;

/// <summary>Factories for OPA's evaluation errors (stable codes and messages).</summary>
internal static class EvalErrors
{
    public const string CompleteConflict = "complete rules must not produce multiple outputs";
    public const string FunctionConflict = "functions must not produce multiple outputs for same inputs";
    public const string ObjectKeyConflict = "object keys must be unique";

    public static PolicyEvaluationException Conflict(string message, SourceLocation? location) =>
        new(new PolicyError(PolicyErrorCodes.EvalConflictError, message, Normalize(location)));

    public static PolicyEvaluationException Type(string message, SourceLocation? location) =>
        new(new PolicyError(PolicyErrorCodes.EvalTypeError, message, Normalize(location)));

    public static PolicyEvaluationException Builtin(string message, SourceLocation? location) =>
        new(new PolicyError(PolicyErrorCodes.EvalBuiltinError, message, Normalize(location)));

    public static PolicyEvaluationException Cancel(string message) =>
        new(new PolicyError(PolicyErrorCodes.EvalCancelError, message));

    public static PolicyEvaluationException Limit(string message, SourceLocation? location = null) =>
        new(new PolicyError(PolicyErrorCodes.EvalLimitError, message, Normalize(location)));

    public static PolicyEvaluationException Internal(string message, SourceLocation? location = null) =>
        new(new PolicyError("eval_internal_error", message, Normalize(location)));

    private static SourceLocation? Normalize(SourceLocation? location) =>
        location is { } l && !string.IsNullOrEmpty(l.File) ? l : null;
}
