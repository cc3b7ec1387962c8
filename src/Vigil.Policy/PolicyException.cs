namespace Vigil.Policy;

/// <summary>Base for errors raised by the engine; carries every error found, each with its code and location.</summary>
public class PolicyException : Exception
{
    public PolicyException(IReadOnlyList<PolicyError> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public PolicyException(PolicyError error)
        : this([error])
    {
    }

    /// <summary>All errors (at least one).</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>The code of the first error.</summary>
    public string Code => Errors[0].Code;

    private static string Format(IReadOnlyList<PolicyError> errors) =>
        errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} errors occurred:\n" + string.Join('\n', errors);
}

/// <summary>Policy or query text failed to parse or compile.</summary>
public sealed class PolicyCompileException : PolicyException
{
    public PolicyCompileException(IReadOnlyList<PolicyError> errors)
        : base(errors)
    {
    }

    public PolicyCompileException(PolicyError error)
        : base(error)
    {
    }
}

/// <summary>Evaluation failed (conflict, type or builtin error, deadline, limit). Callers in the request path deny.</summary>
public sealed class PolicyEvaluationException : PolicyException
{
    public PolicyEvaluationException(PolicyError error)
        : base(error)
    {
    }
}
