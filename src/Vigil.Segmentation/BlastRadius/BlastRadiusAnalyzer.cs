using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.BlastRadius;

/// <summary>Breadth-first search over the class graph of a matrix: shortest lateral-movement paths from a compromised workload.</summary>
public static class BlastRadiusAnalyzer
{
    /// <summary>
    /// Resolves a workload: an exact endpoint name (<c>ns/pod</c> or group), a workload <c>ns/app</c>
    /// (the <c>app</c>/<c>app.kubernetes.io/name</c> label), or a pod-name prefix <c>ns/name-</c>.
    /// </summary>
    public static IReadOnlyList<int> Resolve(ReachabilityMatrix matrix, string workload)
    {
        var exact = matrix.IndexOf(workload);
        if (exact >= 0) return [exact];
        var byWorkload = Enumerable.Range(0, matrix.Endpoints.Count).Where(i => matrix.Endpoints[i].Workload == workload).ToList();
        if (byWorkload.Count > 0) return byWorkload;
        return [.. Enumerable.Range(0, matrix.Endpoints.Count).Where(i => matrix.Endpoints[i].Name.StartsWith(workload + "-", StringComparison.Ordinal))];
    }

    public static BlastRadiusResult Analyze(ReachabilityMatrix matrix, IReadOnlyList<int> compromised)
    {
        var n = matrix.ClassCount;
        var dist = new int[n];
        var parent = new int[n];
        Array.Fill(dist, -1);
        Array.Fill(parent, -1);
        var queue = new Queue<int>();
        var startSet = compromised.ToHashSet();
        foreach (var e in compromised)
        {
            var c = matrix.ClassOf[e];
            if (dist[c] == 0) continue;
            dist[c] = 0;
            queue.Enqueue(c);
        }
        while (queue.Count > 0)
        {
            var c = queue.Dequeue();
            for (var d = 0; d < n; d++)
            {
                if (dist[d] >= 0 || matrix.ClassCell(c, d) == PortSetTable.EmptyId) continue;
                dist[d] = dist[c] + 1;
                parent[d] = c;
                queue.Enqueue(d);
            }
        }
        // Hops to reach a member of class d as a target: 1 + the nearest compromised class with an edge into d.
        var targetDist = new int[n];
        var targetParent = new int[n];
        Array.Fill(targetDist, -1);
        for (var d = 0; d < n; d++)
        {
            for (var c = 0; c < n; c++)
            {
                if (dist[c] < 0 || matrix.ClassCell(c, d) == PortSetTable.EmptyId) continue;
                if (targetDist[d] < 0 || dist[c] + 1 < targetDist[d]) { targetDist[d] = dist[c] + 1; targetParent[d] = c; }
            }
        }

        var representative = new int[n];
        for (var c = 0; c < n; c++) representative[c] = matrix.ClassMembers[c].Count > 0 ? matrix.ClassMembers[c][0] : -1;
        foreach (var e in compromised) representative[matrix.ClassOf[e]] = e;

        var reached = new List<ReachedEndpoint>();
        for (var e = 0; e < matrix.Endpoints.Count; e++)
        {
            if (startSet.Contains(e)) continue;
            var c = matrix.ClassOf[e];
            if (targetDist[c] < 0) continue;
            var path = new List<PathHop>();
            var prev = targetParent[c];
            path.Add(new PathHop(matrix.Endpoints[representative[prev]].Name, matrix.Endpoints[e].Name, matrix.Ports[matrix.ClassCell(prev, c)]));
            var cur = prev;
            while (dist[cur] > 0)
            {
                var p = parent[cur];
                path.Insert(0, new PathHop(matrix.Endpoints[representative[p]].Name, matrix.Endpoints[representative[cur]].Name, matrix.Ports[matrix.ClassCell(p, cur)]));
                cur = p;
            }
            reached.Add(new ReachedEndpoint(matrix.Endpoints[e], targetDist[c], path));
        }
        var ranked = reached.OrderByDescending(r => r.Endpoint.Sensitivity).ThenBy(r => r.Hops).ThenBy(r => r.Endpoint.Name, StringComparer.Ordinal).ToList();

        var external = new List<ExternalAccess>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < n; c++)
        {
            if (dist[c] < 0) continue;
            foreach (var x in matrix.EgressToWorld[c])
            {
                if (seen.Add(x.Block + " " + x.Ports)) external.Add(x);
            }
        }
        return new BlastRadiusResult([.. compromised.Select(i => matrix.Endpoints[i])], ranked, external, matrix.Endpoints.Count);
    }
}
