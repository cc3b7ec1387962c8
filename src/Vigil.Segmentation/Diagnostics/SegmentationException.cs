namespace Vigil.Segmentation.Diagnostics;

/// <summary>Thrown when input cannot be used; carries every diagnostic that was collected.</summary>
public sealed class SegmentationException : Exception
{
    public SegmentationException(IReadOnlyList<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())))
    {
        Diagnostics = diagnostics;
    }

    public SegmentationException(string code, string message)
        : this([new Diagnostic(code, DiagnosticSeverity.Error, message, SourceSpan.None)])
    {
    }

    public SegmentationException() : this([]) { }

    public SegmentationException(string message) : this("SEG000", message) { }

    public SegmentationException(string message, Exception inner) : base(message, inner)
    {
        Diagnostics = [new Diagnostic("SEG000", DiagnosticSeverity.Error, message, SourceSpan.None)];
    }

    public IReadOnlyList<Diagnostic> Diagnostics { get; } = [];
}
