namespace Vigil.Segmentation.Reachability;

/// <summary>The answer to "may SRC connect to DST on PORT, and why".</summary>
public sealed record Explanation(bool Allowed, IReadOnlyList<string> Reasons)
{
    public override string ToString() => (Allowed ? "ALLOWED" : "DENIED") + Environment.NewLine + string.Join(Environment.NewLine, Reasons.Select(r => "  " + r));
}
