namespace Vigil.Segmentation.Diagnostics;

/// <summary>How serious a diagnostic or lint finding is. Ordered: a higher value is more serious.</summary>
public enum DiagnosticSeverity
{
    Info = 0,
    Warning = 1,
    Error = 2,
}
