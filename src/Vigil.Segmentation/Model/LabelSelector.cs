namespace Vigil.Segmentation.Model;

/// <summary>Operators of a <c>matchExpressions</c> requirement.</summary>
public enum SelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One <c>matchExpressions</c> entry.</summary>
public sealed record SelectorRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(LabelSet labels) => Operator switch
    {
        SelectorOperator.In => labels.TryGetValue(Key, out var v) && Values.Contains(v),
        // Kubernetes: NotIn matches when the label is absent too.
        SelectorOperator.NotIn => !labels.TryGetValue(Key, out var v2) || !Values.Contains(v2),
        SelectorOperator.Exists => labels.ContainsKey(Key),
        _ => !labels.ContainsKey(Key),
    };

    public override string ToString() => Operator switch
    {
        SelectorOperator.Exists => Key,
        SelectorOperator.DoesNotExist => "!" + Key,
        SelectorOperator.In => $"{Key} in ({string.Join(",", Values)})",
        _ => $"{Key} notin ({string.Join(",", Values)})",
    };
}

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
