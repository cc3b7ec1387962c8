using System.Net;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.HostGroups;

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
