using System.Collections;
using System.Text;

namespace Vigil.Policy.Values;

/// <summary>An immutable set. Enumeration is in OPA's sorted order.</summary>
public sealed class SetValue : Value, IReadOnlyCollection<Value>
{
    public static readonly SetValue Empty = new([]);

    private readonly HashSet<Value> _items;
    private Value[]? _sorted;
    private int _hash;

    /// <summary>The nesting depth of this value once a limit check has measured it (0: not yet); values are immutable, so it never changes.</summary>
    internal int CheckedDepth { get; set; }

    private SetValue(HashSet<Value> items) => _items = items;

    /// <summary>Creates a set that takes ownership of <paramref name="items"/> (the caller must not change it afterwards).</summary>
    public static SetValue Wrap(HashSet<Value> items) => items.Count == 0 ? Empty : new SetValue(items);

    public static SetValue Create(IEnumerable<Value> items) => Wrap(new HashSet<Value>(items));

    public static SetValue Create(params ReadOnlySpan<Value> items)
    {
        var set = new HashSet<Value>(items.Length);
        foreach (var item in items)
        {
            set.Add(item);
        }

        return Wrap(set);
    }

    public override ValueKind Kind => ValueKind.Set;

    public int Count => _items.Count;

    public bool Contains(Value item) => _items.Contains(item);

    /// <summary>The members in sorted order.</summary>
    public ReadOnlySpan<Value> Sorted
    {
        get
        {
            var sorted = _sorted;
            if (sorted is null)
            {
                sorted = [.. _items];
                Array.Sort(sorted);
                _sorted = sorted;
            }

            return sorted;
        }
    }

    /// <summary>The underlying members (unordered; do not modify).</summary>
    internal HashSet<Value> Items => _items;

    public IEnumerator<Value> GetEnumerator()
    {
        _ = Sorted;
        return ((IEnumerable<Value>)_sorted!).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not SetValue s || s._items.Count != _items.Count || s.GetHashCode() != GetHashCode())
        {
            return false;
        }

        foreach (var item in _items)
        {
            if (!s._items.Contains(item))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var hash = _hash;
        if (hash == 0)
        {
            // Order-independent combination.
            var sum = (int)ValueKind.Set * 31;
            foreach (var item in _items)
            {
                sum = unchecked(sum + (item.GetHashCode() * 0x2f0b3c55));
            }

            hash = sum | 1;
            _hash = hash;
        }

        return hash;
    }

    private protected override int CompareToSameKind(Value other)
    {
        var a = Sorted;
        var b = ((SetValue)other).Sorted;
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    internal override void AppendRego(StringBuilder builder)
    {
        if (_items.Count == 0)
        {
            builder.Append("set()");
            return;
        }

        builder.Append('{');
        var first = true;
        foreach (var item in Sorted)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            item.AppendRego(builder);
        }

        builder.Append('}');
    }
}
