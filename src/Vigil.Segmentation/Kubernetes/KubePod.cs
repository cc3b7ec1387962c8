using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>A pod of the inventory: namespace, name, labels, container ports and (optionally) its IP.</summary>
public sealed record KubePod(string Namespace, string Name, LabelSet Labels, IReadOnlyList<ContainerPort> Ports, string? Ip, SourceSpan Location)
{
    /// <summary><c>namespace/name</c>.</summary>
    public string Id => Namespace + "/" + Name;
}
