using System.Text;

namespace Vigil.Segmentation.Model;

/// <summary>
/// An immutable set of (protocol, port) pairs, stored as sorted disjoint intervals over the key
/// <c>protocol * 65536 + port</c>, so union, intersection and difference are linear merges.
/// </summary>
public sealed class PortSet : IEquatable<PortSet>
{
    private const int Span = 65536;
    private readonly int[] _bounds; // pairs: first, last (inclusive), sorted, disjoint, non-adjacent

    private PortSet(int[] bounds)
    {
        _bounds = bounds;
        var h = new HashCode();
        foreach (var b in bounds) h.Add(b);
        _hash = h.ToHashCode();
    }

    private readonly int _hash;

    public static readonly PortSet Empty = new([]);

    public static readonly PortSet All = new([
        (int)Protocol.Tcp * Span + 1, (int)Protocol.Tcp * Span + 65535,
        (int)Protocol.Udp * Span + 1, (int)Protocol.Udp * Span + 65535,
        (int)Protocol.Sctp * Span + 1, (int)Protocol.Sctp * Span + 65535,
    ]);

    public bool IsEmpty => _bounds.Length == 0;

    public bool IsAll => Equals(All);

    public static PortSet Of(Protocol protocol, int first, int last)
    {
        if (first < 1) first = 1;
        if (last > 65535) last = 65535;
        if (last < first) return Empty;
        return new PortSet([(int)protocol * Span + first, (int)protocol * Span + last]);
    }

    public static PortSet Of(Protocol protocol, int port) => Of(protocol, port, port);

    public static PortSet AllOf(Protocol protocol) => Of(protocol, 1, 65535);

    public static PortSet FromRanges(IEnumerable<PortRange> ranges)
    {
        var acc = Empty;
        foreach (var r in ranges) acc = acc.Union(Of(r.Protocol, r.First, r.Last));
        return acc;
    }

    public IEnumerable<PortRange> Ranges()
    {
        for (var i = 0; i < _bounds.Length; i += 2)
        {
            var proto = (Protocol)(_bounds[i] / Span);
            yield return new PortRange(proto, _bounds[i] % Span, _bounds[i + 1] % Span);
        }
    }

    public int RangeCount => _bounds.Length / 2;

    public bool Contains(Protocol protocol, int port)
    {
        var key = (int)protocol * Span + port;
        for (var i = 0; i < _bounds.Length; i += 2)
        {
            if (key < _bounds[i]) return false;
            if (key <= _bounds[i + 1]) return true;
        }
        return false;
    }

    public PortSet Union(PortSet other)
    {
        if (other.IsEmpty || ReferenceEquals(this, other)) return this;
        if (IsEmpty) return other;
        var all = new List<(int, int)>(RangeCount + other.RangeCount);
        int i = 0, j = 0;
        while (i < _bounds.Length || j < other._bounds.Length)
        {
            if (j >= other._bounds.Length || (i < _bounds.Length && _bounds[i] <= other._bounds[j]))
            {
                all.Add((_bounds[i], _bounds[i + 1])); i += 2;
            }
            else
            {
                all.Add((other._bounds[j], other._bounds[j + 1])); j += 2;
            }
        }
        var result = new List<int>(all.Count * 2);
        foreach (var (lo, hi) in all)
        {
            if (result.Count > 0 && lo <= result[^1] + 1)
            {
                if (hi > result[^1]) result[^1] = hi;
            }
            else
            {
                result.Add(lo); result.Add(hi);
            }
        }
        return new PortSet([.. result]);
    }

    public PortSet Intersect(PortSet other)
    {
        if (IsEmpty || other.IsEmpty) return Empty;
        if (ReferenceEquals(this, other)) return this;
        var result = new List<int>();
        int i = 0, j = 0;
        while (i < _bounds.Length && j < other._bounds.Length)
        {
            var lo = Math.Max(_bounds[i], other._bounds[j]);
            var hi = Math.Min(_bounds[i + 1], other._bounds[j + 1]);
            if (lo <= hi) { result.Add(lo); result.Add(hi); }
            if (_bounds[i + 1] < other._bounds[j + 1]) i += 2; else j += 2;
        }
        return result.Count == 0 ? Empty : new PortSet([.. result]);
    }

    public PortSet Except(PortSet other)
    {
        if (IsEmpty || other.IsEmpty) return this;
        var result = new List<int>();
        var j = 0;
        for (var i = 0; i < _bounds.Length; i += 2)
        {
            var lo = _bounds[i];
            var hi = _bounds[i + 1];
            while (j < other._bounds.Length && other._bounds[j + 1] < lo) j += 2;
            var k = j;
            while (lo <= hi && k < other._bounds.Length && other._bounds[k] <= hi)
            {
                if (other._bounds[k] > lo) { result.Add(lo); result.Add(other._bounds[k] - 1); }
                lo = Math.Max(lo, other._bounds[k + 1] + 1);
                k += 2;
            }
            if (lo <= hi) { result.Add(lo); result.Add(hi); }
        }
        return result.Count == 0 ? Empty : new PortSet([.. result]);
    }

    public bool IsSubsetOf(PortSet other) => Except(other).IsEmpty;

    public bool Equals(PortSet? other) => other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && _bounds.AsSpan().SequenceEqual(other._bounds)));

    public override bool Equals(object? obj) => obj is PortSet p && Equals(p);

    public override int GetHashCode() => _hash;

    public override string ToString()
    {
        if (IsEmpty) return "none";
        if (IsAll) return "all";
        var sb = new StringBuilder();
        foreach (var r in Ranges())
        {
            if (sb.Length > 0) sb.Append(", ");
            sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
