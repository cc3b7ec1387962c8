using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.BlastRadius;

/// <summary>What a compromised workload can reach: ranked by sensitivity, then by path length (shortest first).</summary>
public sealed record BlastRadiusResult(IReadOnlyList<Endpoint> Compromised, IReadOnlyList<ReachedEndpoint> Reached, IReadOnlyList<ExternalAccess> External, int TotalEndpoints)
{
    public IEnumerable<ReachedEndpoint> Direct => Reached.Where(r => r.Hops == 1);

    public IEnumerable<ReachedEndpoint> Transitive => Reached.Where(r => r.Hops > 1);
}
