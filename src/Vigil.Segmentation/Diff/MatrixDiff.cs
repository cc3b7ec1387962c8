using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Diff;

/// <summary>Compares two matrices by endpoint name (pods by <c>ns/name</c>, groups by name), including traffic to and from the outside world.</summary>
public static class MatrixDiff
{
    public const string World = "(world)";

    public static DiffResult Compare(ReachabilityMatrix before, ReachabilityMatrix after)
    {
        var names = before.Endpoints.Select(e => e.Name).Union(after.Endpoints.Select(e => e.Name), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var oldIndex = Index(before);
        var newIndex = Index(after);
        var opened = new List<FlowChange>();
        var closed = new List<FlowChange>();
        var cache = new Dictionary<(PortSet, PortSet), (PortSet Opened, PortSet Closed)>();
        void Record(string s, string d, PortSet o, PortSet n)
        {
            if (o.Equals(n)) return;
            if (!cache.TryGetValue((o, n), out var change)) cache[(o, n)] = change = (n.Except(o), o.Except(n));
            if (!change.Opened.IsEmpty) opened.Add(new FlowChange(s, d, change.Opened));
            if (!change.Closed.IsEmpty) closed.Add(new FlowChange(s, d, change.Closed));
        }

        // Endpoints on both sides: group them by (old class, new class) so equal cells are compared once.
        var joint = new Dictionary<(int, int), List<string>>();
        foreach (var name in names)
        {
            if (!oldIndex.TryGetValue(name, out var o) || !newIndex.TryGetValue(name, out var n)) continue;
            var key = (before.ClassOf[o], after.ClassOf[n]);
            if (!joint.TryGetValue(key, out var list)) joint[key] = list = [];
            list.Add(name);
        }
        var groups = joint.ToList();
        foreach (var a in groups)
        {
            foreach (var b in groups)
            {
                var o = before.Ports[before.ClassCell(a.Key.Item1, b.Key.Item1)];
                var n = after.Ports[after.ClassCell(a.Key.Item2, b.Key.Item2)];
                if (o.Equals(n)) continue;
                foreach (var s in a.Value)
                {
                    foreach (var d in b.Value)
                    {
                        if (s != d) Record(s, d, o, n);
                    }
                }
            }
        }

        // Endpoints on one side only: every flow they take part in opens or closes.
        foreach (var s in names)
        {
            var sBoth = oldIndex.ContainsKey(s) && newIndex.ContainsKey(s);
            foreach (var d in names)
            {
                if (s == d || (sBoth && oldIndex.ContainsKey(d) && newIndex.ContainsKey(d))) continue;
                var o = oldIndex.TryGetValue(s, out var os) && oldIndex.TryGetValue(d, out var od) ? before.Allowed(os, od) : PortSet.Empty;
                var n = newIndex.TryGetValue(s, out var ns) && newIndex.TryGetValue(d, out var nd) ? after.Allowed(ns, nd) : PortSet.Empty;
                Record(s, d, o, n);
            }
            // Outside world, compared as "block ports" descriptions.
            CompareWorld(s, true, oldIndex.TryGetValue(s, out var oi) ? before.EgressToWorld[before.ClassOf[oi]] : [], newIndex.TryGetValue(s, out var ni) ? after.EgressToWorld[after.ClassOf[ni]] : [], opened, closed);
            CompareWorld(s, false, oldIndex.TryGetValue(s, out oi) ? before.IngressFromWorld[before.ClassOf[oi]] : [], newIndex.TryGetValue(s, out ni) ? after.IngressFromWorld[after.ClassOf[ni]] : [], opened, closed);
        }
        static List<FlowChange> Sorted(List<FlowChange> list) => [.. list.OrderBy(f => f.Source, StringComparer.Ordinal).ThenBy(f => f.Destination, StringComparer.Ordinal)];
        return new DiffResult(Sorted(opened), Sorted(closed),
            [.. names.Where(x => !oldIndex.ContainsKey(x))], [.. names.Where(x => !newIndex.ContainsKey(x))]);
    }

    private static void CompareWorld(string name, bool egress, IReadOnlyList<ExternalAccess> before, IReadOnlyList<ExternalAccess> after, List<FlowChange> opened, List<FlowChange> closed)
    {
        static Dictionary<string, PortSet> Group(IReadOnlyList<ExternalAccess> list)
        {
            var map = new Dictionary<string, PortSet>(StringComparer.Ordinal);
            foreach (var x in list) map[x.Block.ToString()] = map.TryGetValue(x.Block.ToString(), out var p) ? p.Union(x.Ports) : x.Ports;
            return map;
        }
        var o = Group(before);
        var n = Group(after);
        foreach (var block in o.Keys.Union(n.Keys).Order(StringComparer.Ordinal))
        {
            var op = o.GetValueOrDefault(block) ?? PortSet.Empty;
            var np = n.GetValueOrDefault(block) ?? PortSet.Empty;
            var label = $"{World} {block}";
            var added = np.Except(op);
            var removed = op.Except(np);
            if (!added.IsEmpty) opened.Add(egress ? new FlowChange(name, label, added) : new FlowChange(label, name, added));
            if (!removed.IsEmpty) closed.Add(egress ? new FlowChange(name, label, removed) : new FlowChange(label, name, removed));
        }
    }

    private static Dictionary<string, int> Index(ReachabilityMatrix m)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < m.Endpoints.Count; i++) map[m.Endpoints[i].Name] = i;
        return map;
    }
}
