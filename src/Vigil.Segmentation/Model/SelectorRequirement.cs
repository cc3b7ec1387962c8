namespace Vigil.Segmentation.Model;

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
