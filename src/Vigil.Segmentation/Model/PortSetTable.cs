namespace Vigil.Segmentation.Model;

/// <summary>
/// Interns port sets as small integers and memoises union/intersection, so the reachability matrix
/// stores one <see cref="int"/> per cell and combining cells is a dictionary lookup.
/// Id 0 is always the empty set and id 1 the set of all ports.
/// </summary>
public sealed class PortSetTable
{
    public const int EmptyId = 0;
    public const int AllId = 1;

    private readonly List<PortSet> _sets = [];
    private readonly Dictionary<PortSet, int> _ids = [];
    private readonly Dictionary<long, int> _unions = [];
    private readonly Dictionary<long, int> _intersections = [];

    public PortSetTable()
    {
        Intern(PortSet.Empty);
        Intern(PortSet.All);
    }

    public int Count => _sets.Count;

    public PortSet this[int id] => _sets[id];

    public int Intern(PortSet set)
    {
        if (_ids.TryGetValue(set, out var id)) return id;
        id = _sets.Count;
        _sets.Add(set);
        _ids.Add(set, id);
        return id;
    }

    public int Union(int a, int b)
    {
        if (a == b || b == EmptyId) return a;
        if (a == EmptyId) return b;
        if (a == AllId || b == AllId) return AllId;
        var key = a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;
        if (_unions.TryGetValue(key, out var r)) return r;
        r = Intern(_sets[a].Union(_sets[b]));
        _unions[key] = r;
        return r;
    }

    public int Intersect(int a, int b)
    {
        if (a == b || b == AllId) return a;
        if (a == AllId) return b;
        if (a == EmptyId || b == EmptyId) return EmptyId;
        var key = a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;
        if (_intersections.TryGetValue(key, out var r)) return r;
        r = Intern(_sets[a].Intersect(_sets[b]));
        _intersections[key] = r;
        return r;
    }
}
