using Vigil.Segmentation.Diagnostics;

namespace Vigil.Segmentation.HostGroups;

/// <summary>The content of a <c>segments.yaml</c> (<c>apiVersion: vigil.dev/v1</c>, <c>kind: Segments</c>).</summary>
public sealed record SegmentsModel(string Name, SegmentSettings Settings, IReadOnlyList<HostGroup> Groups, IReadOnlyList<GroupFlow> Flows, SourceSpan Location)
{
    public HostGroup? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);
}
