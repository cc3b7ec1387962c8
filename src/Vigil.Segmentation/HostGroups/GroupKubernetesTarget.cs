using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.HostGroups;

/// <summary>Where a group lives when compiled to Kubernetes NetworkPolicy manifests.</summary>
public sealed record GroupKubernetesTarget(string Namespace, LabelSelector PodSelector);
