namespace Vigil.Segmentation.Diagnostics;

/// <summary>A load error, warning or lint finding with a stable code and the place it comes from.</summary>
public sealed record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, SourceSpan Location)
{
    public override string ToString()
    {
        var where = Location.Line > 0 || Location.File.Length > 0 ? Location + ": " : "";
        return $"{where}{Severity.ToString().ToLowerInvariant()} {Code}: {Message}";
    }
}
