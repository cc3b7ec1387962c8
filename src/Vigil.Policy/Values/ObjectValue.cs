using System.Collections;
using System.Text;

namespace Vigil.Policy.Values;

/// <summary>An immutable object (keys may be any value, as in Rego). Enumeration is in sorted key order.</summary>
public sealed class ObjectValue : Value, IReadOnlyCollection<KeyValuePair<Value, Value>>
{
    public static readonly ObjectValue Empty = new([]);

    private readonly Dictionary<Value, Value> _items;
    private KeyValuePair<Value, Value>[]? _sorted;
    private int _hash;

    /// <summary>The nesting depth of this value once a limit check has measured it (0: not yet); values are immutable, so it never changes.</summary>
    internal int CheckedDepth { get; set; }

    private ObjectValue(Dictionary<Value, Value> items) => _items = items;

    /// <summary>Creates an object that takes ownership of <paramref name="items"/> (the caller must not change it afterwards).</summary>
    public static ObjectValue Wrap(Dictionary<Value, Value> items) => items.Count == 0 ? Empty : new ObjectValue(items);

    public static ObjectValue Create(IEnumerable<KeyValuePair<Value, Value>> items)
    {
        var dictionary = new Dictionary<Value, Value>();
        foreach (var (key, value) in items)
        {
            dictionary[key] = value;
        }

        return Wrap(dictionary);
    }

    public static ObjectValue Create(IEnumerable<KeyValuePair<string, Value>> items) =>
        Create(items.Select(static kv => new KeyValuePair<Value, Value>(StringValue.Create(kv.Key), kv.Value)));

    public override ValueKind Kind => ValueKind.Object;

    public int Count => _items.Count;

    public Value? this[Value key] => _items.GetValueOrDefault(key);

    public Value? this[string key] => _items.GetValueOrDefault(StringValue.Create(key));

    public bool TryGetValue(Value key, out Value value) => _items.TryGetValue(key, out value!);

    public bool ContainsKey(Value key) => _items.ContainsKey(key);

    /// <summary>The entries in sorted key order.</summary>
    public ReadOnlySpan<KeyValuePair<Value, Value>> Sorted
    {
        get
        {
            var sorted = _sorted;
            if (sorted is null)
            {
                sorted = [.. _items];
                Array.Sort(sorted, static (x, y) => x.Key.CompareTo(y.Key));
                _sorted = sorted;
            }

            return sorted;
        }
    }

    public IEnumerable<Value> Keys
    {
        get
        {
            _ = Sorted;
            return _sorted!.Select(static kv => kv.Key);
        }
    }

    /// <summary>The underlying entries (unordered; do not modify).</summary>
    internal Dictionary<Value, Value> Items => _items;

    public IEnumerator<KeyValuePair<Value, Value>> GetEnumerator()
    {
        _ = Sorted;
        return ((IEnumerable<KeyValuePair<Value, Value>>)_sorted!).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override bool Equals(Value? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is not ObjectValue o || o._items.Count != _items.Count || o.GetHashCode() != GetHashCode())
        {
            return false;
        }

        foreach (var (key, value) in _items)
        {
            if (!o._items.TryGetValue(key, out var otherValue) || !value.Equals(otherValue))
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
            var sum = (int)ValueKind.Object * 17;
            foreach (var (key, value) in _items)
            {
                sum = unchecked(sum + HashCode.Combine(key.GetHashCode(), value.GetHashCode()));
            }

            hash = sum | 1;
            _hash = hash;
        }

        return hash;
    }

    private protected override int CompareToSameKind(Value other)
    {
        var a = Sorted;
        var b = ((ObjectValue)other).Sorted;
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var c = a[i].Key.CompareTo(b[i].Key);
            if (c != 0)
            {
                return c;
            }

            c = a[i].Value.CompareTo(b[i].Value);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    internal override void AppendRego(StringBuilder builder)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, value) in Sorted)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            key.AppendRego(builder);
            builder.Append(": ");
            value.AppendRego(builder);
        }

        builder.Append('}');
    }
}
