using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>One entry of a rule's <c>ports</c>: a protocol with a numeric port (optionally up to <c>endPort</c>), a named port, or no port (all ports of the protocol).</summary>
public sealed record PolicyPort(Protocol Protocol, int? Port, string? NamedPort, int? EndPort, SourceSpan Location)
{
    public override string ToString()
    {
        var p = ProtocolNames.Upper(Protocol);
        if (NamedPort is not null) return $"{p} {NamedPort}";
        if (Port is null) return p + " *";
        return EndPort is null ? $"{p} {Port}" : $"{p} {Port}-{EndPort}";
    }
}

/// <summary>One entry of <c>from</c>/<c>to</c>. Pod and namespace selector in one peer are ANDed; <c>IpBlock</c> stands alone.</summary>
public sealed record PolicyPeer(LabelSelector? PodSelector, LabelSelector? NamespaceSelector, AddressBlock? IpBlock, SourceSpan Location)
{
    public override string ToString()
    {
        if (IpBlock is not null) return "ipBlock " + IpBlock;
        var parts = new List<string>();
        if (NamespaceSelector is not null) parts.Add("namespaceSelector " + NamespaceSelector);
        if (PodSelector is not null) parts.Add("podSelector " + PodSelector);
        return string.Join(" AND ", parts);
    }
}

/// <summary>An ingress or egress rule. <c>Peers</c> null means every peer; <c>Ports</c> null means every port.</summary>
public sealed record PolicyRule(int Index, IReadOnlyList<PolicyPeer>? Peers, IReadOnlyList<PolicyPort>? Ports, SourceSpan Location);

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
