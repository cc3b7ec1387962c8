using System.Collections;
using System.Text;

namespace Vigil.Policy.Values;

/// <summary>An immutable array.</summary>
public sealed class ArrayValue : Value, IReadOnlyList<Value>
{
    public static readonly ArrayValue Empty = new([]);

    private readonly Value[] _items;
    private int _hash;

    /// <summary>The nesting depth of this value once a limit check has measured it (0: not yet); values are immutable, so it never changes.</summary>
    internal int CheckedDepth { get; set; }

    private ArrayValue(Value[] items) => _items = items;

    /// <summary>Creates an array that takes ownership of <paramref name="items"/> (the caller must not change it afterwards).</summary>
    public static ArrayValue Wrap(Value[] items) => items.Length == 0 ? Empty : new ArrayValue(items);

    public static ArrayValue Create(IEnumerable<Value> items) => Wrap(items.ToArray());

    public static ArrayValue Create(params ReadOnlySpan<Value> items) => Wrap(items.ToArray());

    public override ValueKind Kind => ValueKind.Array;

    public int Count => _items.Length;

    public Value this[int index] => _items[index];

    public ReadOnlySpan<Value> AsSpan() => _items;

    public IEnumerator<Value> GetEnumerator() => ((IEnumerable<Value>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not ArrayValue a || a._items.Length != _items.Length || a.GetHashCode() != GetHashCode())
        {
            return false;
        }

        for (var i = 0; i < _items.Length; i++)
        {
            if (!_items[i].Equals(a._items[i]))
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
            var combined = new HashCode();
            combined.Add(ValueKind.Array);
            foreach (var item in _items)
            {
                combined.Add(item.GetHashCode());
            }

            hash = combined.ToHashCode() | 1;
            _hash = hash;
        }

        return hash;
    }

    private protected override int CompareToSameKind(Value other)
    {
        var a = ((ArrayValue)other)._items;
        var n = Math.Min(_items.Length, a.Length);
        for (var i = 0; i < n; i++)
        {
            var c = _items[i].CompareTo(a[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _items.Length.CompareTo(a.Length);
    }

    internal override void AppendRego(StringBuilder builder)
    {
        builder.Append('[');
        for (var i = 0; i < _items.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            _items[i].AppendRego(builder);
        }

        builder.Append(']');
    }
}
