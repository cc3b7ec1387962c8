namespace Vigil.Segmentation.Diagnostics;

/// <summary>Collects every problem instead of stopping at the first one.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Exists(d => d.Severity == DiagnosticSeverity.Error);

    public void Error(string code, string message, SourceSpan at) => _items.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, at));

    public void Warning(string code, string message, SourceSpan at) => _items.Add(new Diagnostic(code, DiagnosticSeverity.Warning, message, at));

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);
}
