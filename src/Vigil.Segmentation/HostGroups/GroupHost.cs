using System.Net;
using Vigil.Segmentation.Diagnostics;

namespace Vigil.Segmentation.HostGroups;

/// <summary>One machine of a group: the nftables/iptables compilers write one ruleset per host.</summary>
public sealed record GroupHost(string Name, IPAddress Address, SourceSpan Location);
