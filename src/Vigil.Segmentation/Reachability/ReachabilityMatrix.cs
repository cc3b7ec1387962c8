using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>
/// Who may open connections to whom, on which ports. Endpoints with identical behaviour share an
/// equivalence class; the matrix is stored per class pair as an interned port-set id, which keeps
/// 5,000 pods at a few thousand classes at most and makes the pod-level answer a lookup.
/// </summary>
public sealed class ReachabilityMatrix
{
    private readonly int[] _cells;

    internal ReachabilityMatrix(
        IReadOnlyList<Endpoint> endpoints,
        int[] classOf,
        int classCount,
        int[] cells,
        PortSetTable ports,
        IReadOnlyList<ExternalAccess>[] egressToWorld,
        IReadOnlyList<ExternalAccess>[] ingressFromWorld)
    {
        Endpoints = endpoints;
        ClassOf = classOf;
        ClassCount = classCount;
        _cells = cells;
        Ports = ports;
        EgressToWorld = egressToWorld;
        IngressFromWorld = ingressFromWorld;
        var members = new List<int>[classCount];
        for (var i = 0; i < classCount; i++) members[i] = [];
        for (var e = 0; e < classOf.Length; e++) members[classOf[e]].Add(e);
        ClassMembers = members;
    }

    public IReadOnlyList<Endpoint> Endpoints { get; }

    /// <summary>Endpoint index to class index.</summary>
    public IReadOnlyList<int> ClassOf { get; }

    public int ClassCount { get; }

    public IReadOnlyList<IReadOnlyList<int>> ClassMembers { get; }

    public PortSetTable Ports { get; }

    /// <summary>Per class: addresses outside the matrix it may connect to.</summary>
    public IReadOnlyList<IReadOnlyList<ExternalAccess>> EgressToWorld { get; }

    /// <summary>Per class: addresses outside the matrix that may connect to it.</summary>
    public IReadOnlyList<IReadOnlyList<ExternalAccess>> IngressFromWorld { get; }

    public int ClassCell(int srcClass, int dstClass) => _cells[(srcClass * ClassCount) + dstClass];

    /// <summary>Ports on which <paramref name="src"/> may connect to <paramref name="dst"/> (endpoint indices).</summary>
    public PortSet Allowed(int src, int dst) => Ports[ClassCell(ClassOf[src], ClassOf[dst])];

    public int IndexOf(string name)
    {
        for (var i = 0; i < Endpoints.Count; i++)
        {
            if (Endpoints[i].Name == name) return i;
        }
        return -1;
    }

    /// <summary>Number of ordered endpoint pairs (excluding an endpoint to itself) with at least one allowed port.</summary>
    public long AllowedPairCount()
    {
        long total = 0;
        for (var s = 0; s < ClassCount; s++)
        {
            for (var d = 0; d < ClassCount; d++)
            {
                if (ClassCell(s, d) == PortSetTable.EmptyId) continue;
                long n = ClassMembers[s].Count;
                long m = ClassMembers[d].Count;
                total += s == d ? n * (n - 1) : n * m;
            }
        }
        return total;
    }

    /// <summary>Every allowed ordered pair of distinct endpoints, in endpoint order.</summary>
    public IEnumerable<(int Src, int Dst, PortSet Ports)> AllowedPairs()
    {
        for (var s = 0; s < Endpoints.Count; s++)
        {
            for (var d = 0; d < Endpoints.Count; d++)
            {
                if (s == d) continue;
                var id = ClassCell(ClassOf[s], ClassOf[d]);
                if (id != PortSetTable.EmptyId) yield return (s, d, Ports[id]);
            }
        }
    }
}
