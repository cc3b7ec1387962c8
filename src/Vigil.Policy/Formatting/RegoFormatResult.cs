namespace Vigil.Policy.Formatting;

/// <summary>Outcome of formatting one module.</summary>
public sealed class RegoFormatResult
{
    internal RegoFormatResult(string? output, bool changed, IReadOnlyList<PolicyError> errors)
    {
        Output = output;
        Changed = changed;
        Errors = errors;
    }

    /// <summary>The formatted text (ends with one newline); null when <see cref="Errors"/> is not empty.</summary>
    public string? Output { get; }

    /// <summary>True when <see cref="Output"/> differs from the input text.</summary>
    public bool Changed { get; }

    /// <summary>
    /// Why the module was not formatted: <c>rego_parse_error</c> errors (with file:line:col) for a module that does not
    /// parse, or one <c>rego_format_error</c> when the formatter could not prove its output equivalent (never written).
    /// </summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    /// <summary>True when the module was formatted.</summary>
    public bool Succeeded => Output is not null;
}
