using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>The group × group matrix of a segments file: a cell is the union of the ports of every flow between the two groups.</summary>
public static class HostGroupAnalyzer
{
    public static ReachabilityMatrix Analyze(SegmentsModel segments)
    {
        var n = segments.Groups.Count;
        var table = new PortSetTable();
        var cells = new int[n * n];
        var index = segments.Groups.Select((g, i) => (g.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        foreach (var f in segments.Flows)
        {
            var id = table.Intern(f.Ports);
            foreach (var from in f.From)
            {
                foreach (var to in f.To)
                {
                    var cell = (index[from] * n) + index[to];
                    cells[cell] = table.Union(cells[cell], id);
                }
            }
        }
        var endpoints = segments.Groups.Select(g => new Endpoint(g.Name, EndpointKind.Group, "", g.Labels, g.Location) { Group = g }).ToList();
        var none = Enumerable.Range(0, n).Select(_ => (IReadOnlyList<ExternalAccess>)[]).ToArray();
        return new ReachabilityMatrix(endpoints, [.. Enumerable.Range(0, n)], n, cells, table, none, none);
    }
}
