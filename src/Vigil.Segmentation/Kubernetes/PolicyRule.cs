using Vigil.Segmentation.Diagnostics;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>An ingress or egress rule. <c>Peers</c> null means every peer; <c>Ports</c> null means every port.</summary>
public sealed record PolicyRule(int Index, IReadOnlyList<PolicyPeer>? Peers, IReadOnlyList<PolicyPort>? Ports, SourceSpan Location);
