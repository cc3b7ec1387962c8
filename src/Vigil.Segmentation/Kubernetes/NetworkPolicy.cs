using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>A <c>networking.k8s.io/v1</c> NetworkPolicy after defaulting (<c>policyTypes</c> resolved).</summary>
public sealed record NetworkPolicy(
    string Namespace,
    string Name,
    LabelSelector PodSelector,
    bool AffectsIngress,
    bool AffectsEgress,
    bool PolicyTypesExplicit,
    IReadOnlyList<PolicyRule> Ingress,
    IReadOnlyList<PolicyRule> Egress,
    SourceSpan Location)
{
    /// <summary><c>namespace/name</c>.</summary>
    public string Id => Namespace + "/" + Name;

    /// <summary>True when the spec had an <c>egress</c> key (even an empty list).</summary>
    public bool HasEgressSection { get; init; }
}
