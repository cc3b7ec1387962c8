namespace Vigil.Segmentation.Model;

/// <summary>An immutable set of labels with value equality (order-independent).</summary>
public sealed class LabelSet : IEquatable<LabelSet>
{
    private readonly KeyValuePair<string, string>[] _items;
    private readonly Dictionary<string, string> _map;
    private readonly int _hash;

    public static readonly LabelSet Empty = new([]);

    public LabelSet(IEnumerable<KeyValuePair<string, string>> labels)
    {
        _map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in labels) _map[kv.Key] = kv.Value;
        _items = [.. _map.OrderBy(kv => kv.Key, StringComparer.Ordinal)];
        var h = new HashCode();
        foreach (var kv in _items) { h.Add(kv.Key); h.Add(kv.Value); }
        _hash = h.ToHashCode();
    }

    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    public int Count => _items.Length;

    public bool TryGetValue(string key, out string value) => _map.TryGetValue(key, out value!);

    public bool ContainsKey(string key) => _map.ContainsKey(key);

    public string? Get(string key) => _map.TryGetValue(key, out var v) ? v : null;

    public LabelSet With(string key, string value)
    {
        if (_map.TryGetValue(key, out var v) && v == value) return this;
        return new LabelSet(_items.Where(kv => kv.Key != key).Append(new(key, value)));
    }

    public bool Equals(LabelSet? other)
    {
        if (other is null || other._hash != _hash || other._items.Length != _items.Length) return false;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!string.Equals(_items[i].Key, other._items[i].Key, StringComparison.Ordinal) ||
                !string.Equals(_items[i].Value, other._items[i].Value, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is LabelSet l && Equals(l);

    public override int GetHashCode() => _hash;

    public override string ToString() => string.Join(",", _items.Select(kv => kv.Key + "=" + kv.Value));
}
