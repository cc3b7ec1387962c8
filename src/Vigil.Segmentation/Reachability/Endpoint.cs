using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>A row/column of the reachability matrix: a pod or a host group.</summary>
public sealed record Endpoint(string Name, EndpointKind Kind, string Namespace, LabelSet Labels, SourceSpan Location)
{
    public KubePod? Pod { get; init; }

    public HostGroup? Group { get; init; }

    /// <summary>0 (none) .. 4 (critical), from the <c>sensitivity</c> or <c>vigil.dev/sensitivity</c> label.</summary>
    public int Sensitivity => SensitivityOf(Labels);

    public string SensitivityName => SegmentsReader.Sensitivities[Sensitivity];

    /// <summary>Workload name used to aggregate pods in pictures: the <c>app</c> label, else the pod name.</summary>
    public string Workload => Kind == EndpointKind.Group ? Name :
        Namespace + "/" + (Labels.Get("app.kubernetes.io/name") ?? Labels.Get("app") ?? Pod?.Name ?? Name);

    public static int SensitivityOf(LabelSet labels)
    {
        var value = labels.Get("vigil.dev/sensitivity") ?? labels.Get("sensitivity");
        return value is null ? 0 : Math.Max(0, Array.IndexOf(SegmentsReader.Sensitivities, value.ToLowerInvariant()));
    }
}
