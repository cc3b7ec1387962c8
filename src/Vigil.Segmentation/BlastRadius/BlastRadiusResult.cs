using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.BlastRadius;

/// <summary>One hop of a lateral-movement path.</summary>
public sealed record PathHop(string From, string To, PortSet Ports);

/// <summary>An endpoint an attacker reaches from the compromised workload, with the shortest path there.</summary>
public sealed record ReachedEndpoint(Endpoint Endpoint, int Hops, IReadOnlyList<PathHop> Path);

/// <summary>What a compromised workload can reach: ranked by sensitivity, then by path length (shortest first).</summary>
public sealed record BlastRadiusResult(IReadOnlyList<Endpoint> Compromised, IReadOnlyList<ReachedEndpoint> Reached, IReadOnlyList<ExternalAccess> External, int TotalEndpoints)
{
    public IEnumerable<ReachedEndpoint> Direct => Reached.Where(r => r.Hops == 1);

    public IEnumerable<ReachedEndpoint> Transitive => Reached.Where(r => r.Hops > 1);
}
