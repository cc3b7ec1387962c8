namespace Vigil.Segmentation.Model;

/// <summary>A Kubernetes label selector: all <c>matchLabels</c> and all <c>matchExpressions</c> must hold (AND). Empty selects everything.</summary>
public sealed record LabelSelector(IReadOnlyList<KeyValuePair<string, string>> MatchLabels, IReadOnlyList<SelectorRequirement> MatchExpressions)
{
    public static readonly LabelSelector Everything = new([], []);

    public bool IsEmpty => MatchLabels.Count == 0 && MatchExpressions.Count == 0;

    public bool Matches(LabelSet labels)
    {
        foreach (var kv in MatchLabels)
        {
            if (!labels.TryGetValue(kv.Key, out var v) || !string.Equals(v, kv.Value, StringComparison.Ordinal)) return false;
        }
        foreach (var r in MatchExpressions)
        {
            if (!r.Matches(labels)) return false;
        }
        return true;
    }

    /// <summary>A canonical text used to de-duplicate selectors and to print them.</summary>
    public string Canonical => IsEmpty ? "{}" : string.Join(",", MatchLabels.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + "=" + k.Value).Concat(MatchExpressions.Select(e => e.ToString()).Order(StringComparer.Ordinal)));

    public override string ToString() => Canonical;
}
