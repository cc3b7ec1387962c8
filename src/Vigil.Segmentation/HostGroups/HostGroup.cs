using System.Net;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.HostGroups;

/// <summary>One machine of a group: the nftables/iptables compilers write one ruleset per host.</summary>
public sealed record GroupHost(string Name, IPAddress Address, SourceSpan Location);

/// <summary>Where a group lives when compiled to Kubernetes NetworkPolicy manifests.</summary>
public sealed record GroupKubernetesTarget(string Namespace, LabelSelector PodSelector);

/// <summary>A named set of hosts and/or CIDRs (web servers, database servers, operator screens...).</summary>
public sealed record HostGroup(
    string Name,
    string Description,
    string Sensitivity,
    LabelSet Labels,
    IReadOnlyList<GroupHost> Hosts,
    IReadOnlyList<IPNetwork> Cidrs,
    GroupKubernetesTarget? Kubernetes,
    SourceSpan Location)
{
    /// <summary>Every network of the group: each host as a /32 plus the CIDRs.</summary>
    public IEnumerable<IPNetwork> Networks => Hosts.Select(h => new IPNetwork(h.Address, h.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)).Concat(Cidrs);

    public bool Contains(IPAddress address) => Networks.Any(n => n.Contains(address));
}

/// <summary>An allowed flow: every source group may open connections to every destination group on these ports.</summary>
public sealed record GroupFlow(int Index, IReadOnlyList<string> From, IReadOnlyList<string> To, PortSet Ports, string Description, SourceSpan Location);

/// <summary>Compiler settings of a segments file.</summary>
public sealed record SegmentSettings(string LogPrefix, string TableName, string KubernetesNamespace)
{
    public static readonly SegmentSettings Default = new("vigil-drop", "vigil", "default");
}

/// <summary>The content of a <c>segments.yaml</c> (<c>apiVersion: vigil.dev/v1</c>, <c>kind: Segments</c>).</summary>
public sealed record SegmentsModel(string Name, SegmentSettings Settings, IReadOnlyList<HostGroup> Groups, IReadOnlyList<GroupFlow> Flows, SourceSpan Location)
{
    public HostGroup? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);
}
