using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>Everything loaded from a set of files: a cluster (policies + inventory), host groups, and all diagnostics.</summary>
public sealed record LoadResult(ClusterModel Cluster, SegmentsModel? Segments, IReadOnlyList<Diagnostic> Diagnostics, int KubernetesObjects)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
