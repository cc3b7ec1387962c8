namespace Vigil.Segmentation.Diff;

/// <summary>Flows opened and closed between two versions, for review before merge.</summary>
public sealed record DiffResult(IReadOnlyList<FlowChange> Opened, IReadOnlyList<FlowChange> Closed, IReadOnlyList<string> AddedEndpoints, IReadOnlyList<string> RemovedEndpoints)
{
    public bool IsEmpty => Opened.Count == 0 && Closed.Count == 0;
}
