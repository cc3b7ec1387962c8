using System.Net;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>The Kubernetes NetworkPolicy rules, stated once and used by both the matrix and <c>--explain</c>.</summary>
internal static class PolicySemantics
{
    /// <summary>A policy selects pods of its own namespace whose labels match <c>spec.podSelector</c>.</summary>
    public static bool Selects(NetworkPolicy policy, string podNamespace, LabelSet podLabels) =>
        policy.Namespace == podNamespace && policy.PodSelector.Matches(podLabels);

    /// <summary>
    /// Peer semantics: namespaceSelector and podSelector in one peer are ANDed; without namespaceSelector
    /// the peer is limited to the policy's namespace; without podSelector every pod of the selected namespaces.
    /// ipBlock peers match only addresses outside the pod network.
    /// </summary>
    public static bool PeerMatchesPod(PolicyPeer peer, string policyNamespace, string podNamespace, LabelSet namespaceLabels, LabelSet podLabels)
    {
        if (peer.IpBlock is not null) return false;
        if (peer.NamespaceSelector is null)
        {
            if (podNamespace != policyNamespace) return false;
        }
        else if (!peer.NamespaceSelector.Matches(namespaceLabels))
        {
            return false;
        }
        return peer.PodSelector is null || peer.PodSelector.Matches(podLabels);
    }

    public static bool RuleMatchesPod(PolicyRule rule, string policyNamespace, string podNamespace, LabelSet namespaceLabels, LabelSet podLabels) =>
        rule.Peers is null || rule.Peers.Any(p => PeerMatchesPod(p, policyNamespace, podNamespace, namespaceLabels, podLabels));

    public static bool RuleMatchesAddress(PolicyRule rule, IPAddress address) =>
        rule.Peers is null || rule.Peers.Any(p => p.IpBlock is not null && p.IpBlock.Contains(address));

    /// <summary>
    /// The ports a rule allows on a destination. Named ports resolve against the destination pod's
    /// container ports (name and protocol must both match); with no destination pod they resolve to nothing.
    /// </summary>
    public static PortSet PortsAt(PolicyRule rule, IReadOnlyList<ContainerPort>? destinationPorts)
    {
        if (rule.Ports is null) return PortSet.All;
        var acc = PortSet.Empty;
        foreach (var p in rule.Ports) acc = acc.Union(PortAt(p, destinationPorts));
        return acc;
    }

    public static PortSet PortAt(PolicyPort p, IReadOnlyList<ContainerPort>? destinationPorts)
    {
        if (p.NamedPort is not null)
        {
            var acc = PortSet.Empty;
            foreach (var cp in destinationPorts ?? [])
            {
                if (cp.Name == p.NamedPort && cp.Protocol == p.Protocol) acc = acc.Union(PortSet.Of(cp.Protocol, cp.Port));
            }
            return acc;
        }
        if (p.Port is null) return PortSet.AllOf(p.Protocol);
        return PortSet.Of(p.Protocol, p.Port.Value, p.EndPort ?? p.Port.Value);
    }

    public static bool HasNamedPorts(PolicyRule rule) => rule.Ports is not null && rule.Ports.Any(p => p.NamedPort is not null);
}
