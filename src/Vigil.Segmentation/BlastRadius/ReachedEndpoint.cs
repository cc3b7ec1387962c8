using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.BlastRadius;

/// <summary>An endpoint an attacker reaches from the compromised workload, with the shortest path there.</summary>
public sealed record ReachedEndpoint(Endpoint Endpoint, int Hops, IReadOnlyList<PathHop> Path);
