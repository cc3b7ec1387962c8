namespace Vigil.Segmentation.Diagnostics;

/// <summary>Where something came from: a file and a 1-based line and column (0 when unknown).</summary>
public sealed record SourceSpan(string File, int Line, int Column)
{
    public static readonly SourceSpan None = new("", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
