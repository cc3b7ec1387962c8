using System.Globalization;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>json.filter, json.remove (path-based selection) and json.patch (RFC 6902).</summary>
internal static class JsonPatch
{
    public static void Register(BuiltinTable table)
    {
        table.Add("json.filter", [T.Object, T.Array | T.Set], T.Any, static (_, a) => Filter(Args.Object(a, 0), PathTree(a[1])));
        table.Add("json.remove", [T.Object, T.Array | T.Set], T.Any, static (_, a) => Remove(Args.Object(a, 0), PathTree(a[1])));
        table.Add("json.patch", [T.Any, T.Array], T.Any, static (_, a) => Patch(a[0], Args.Array(a, 1)));
    }

    /// <summary>A tree of path segments; a node with no children is a leaf (the whole value is selected).</summary>
    private sealed class PathNode
    {
        public Dictionary<Value, PathNode>? Children { get; set; }

        public bool IsLeaf => Children is null;
    }

    private static List<Value> ParsePath(Value path) => path switch
    {
        StringValue s when s.Value.Length == 0 => [],
        StringValue s => [.. s.Value.TrimStart('/').Split('/').Select(static p => (Value)Value.From(p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))],
        ArrayValue a => [.. a],
        _ => throw new BuiltinTypeException($"operand 2 must be one of {{set, array}} containing string paths or array of path segments but got {path.TypeName}"),
    };

    private static PathNode PathTree(Value paths)
    {
        IEnumerable<Value> items = paths switch
        {
            ArrayValue a => a,
            SetValue s => s,
            _ => throw new BuiltinTypeException(2, "one of {set, array}", paths),
        };
        var root = new PathNode { Children = [] };
        foreach (var item in items)
        {
            var segments = ParsePath(item);
            var node = root;
            if (segments.Count == 0)
            {
                root.Children = null;
                break;
            }

            for (var i = 0; i < segments.Count; i++)
            {
                if (node.IsLeaf)
                {
                    break; // a shorter path already selects everything below
                }

                if (!node.Children!.TryGetValue(segments[i], out var child))
                {
                    child = new PathNode { Children = i == segments.Count - 1 ? null : [] };
                    node.Children[segments[i]] = child;
                }
                else if (i == segments.Count - 1)
                {
                    child.Children = null;
                }

                node = child;
            }
        }

        return root;
    }

    private static bool TryChild(PathNode node, Value key, out PathNode child)
    {
        if (node.Children!.TryGetValue(key, out child!))
        {
            return true;
        }

        // Array positions may be written as strings ("a/0/b") or numbers.
        switch (key)
        {
            case NumberValue n when n.TryGetInt64(out var i):
                return node.Children.TryGetValue(Value.From(i.ToString(CultureInfo.InvariantCulture)), out child!);
            default:
                return false;
        }
    }

    private static Value Filter(Value value, PathNode node) =>
        node.IsLeaf ? value : Rebuild(value, node, static (child, sub) => sub is null ? null : Filter(child, sub));

    private static Value Remove(Value value, PathNode node) =>
        node.IsLeaf ? value : Rebuild(value, node, static (child, sub) => sub is null ? child : sub.IsLeaf ? null : Remove(child, sub));

    /// <summary>
    /// Rebuilds an object, array or set from what <paramref name="keep"/> returns for each element (null drops it);
    /// keep gets the element and its path node, null where the paths do not name it. Other values are returned as they are.
    /// </summary>
    private static Value Rebuild(Value value, PathNode node, Func<Value, PathNode?, Value?> keep)
    {
        switch (value)
        {
            case ObjectValue o:
                var result = new Dictionary<Value, Value>();
                foreach (var (key, child) in o.Items)
                {
                    if (keep(child, TryChild(node, key, out var sub) ? sub : null) is { } kept)
                    {
                        result[key] = kept;
                    }
                }

                return ObjectValue.Wrap(result);
            case ArrayValue a:
                var items = new List<Value>();
                for (var i = 0; i < a.Count; i++)
                {
                    if (keep(a[i], TryChild(node, NumberValue.Create(i), out var sub) ? sub : null) is { } kept)
                    {
                        items.Add(kept);
                    }
                }

                return ArrayValue.Create(items);
            case SetValue s:
                var members = new HashSet<Value>();
                foreach (var member in s.Items)
                {
                    if (keep(member, TryChild(node, member, out var sub) ? sub : null) is { } kept)
                    {
                        members.Add(kept);
                    }
                }

                return SetValue.Wrap(members);
            default:
                return value;
        }
    }

    private static Value? Patch(Value target, ArrayValue patches)
    {
        var current = target;
        foreach (var patch in patches.AsSpan())
        {
            if (patch is not ObjectValue op || op["op"] is not StringValue kind || op["path"] is not { } pathValue)
            {
                return null;
            }

            if (!TryPointer(pathValue, out var path))
            {
                return null;
            }

            Value? next;
            switch (kind.Value)
            {
                case "add":
                    next = op["value"] is { } addValue ? Add(current, path, 0, addValue) : null;
                    break;
                case "remove":
                    next = RemoveAt(current, path, 0);
                    break;
                case "replace":
                    next = op["value"] is { } replaceValue && Get(current, path) is not null ? Replace(current, path, 0, replaceValue) : null;

                    break;
                case "move":
                    if (op["from"] is not { } moveFrom || !TryPointer(moveFrom, out var from) || Get(current, from) is not { } moved)
                    {
                        return null;
                    }

                    var removed = RemoveAt(current, from, 0);
                    next = removed is null ? null : Add(removed, path, 0, moved);
                    break;
                case "copy":
                    if (op["from"] is not { } copyFrom || !TryPointer(copyFrom, out var source) || Get(current, source) is not { } copied)
                    {
                        return null;
                    }

                    next = Add(current, path, 0, copied);
                    break;
                case "test":
                    next = op["value"] is { } expected && Get(current, path) is { } actual && actual.Equals(expected) ? current : null;
                    break;
                default:
                    return null;
            }

            if (next is null)
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static bool TryPointer(Value path, out List<Value> segments)
    {
        switch (path)
        {
            case StringValue s:
                segments = s.Value.Length == 0 ? [] : ParsePath(s);
                return true;
            case ArrayValue a:
                segments = [.. a];
                return true;
            default:
                segments = [];
                return false;
        }
    }

    private static bool TryIndex(Value segment, int count, bool allowEnd, out int index)
    {
        index = -1;
        if (segment is StringValue s)
        {
            if (allowEnd && s.Value == "-")
            {
                index = count;
                return true;
            }

            if (s.Value.Length == 0 || (s.Value.Length > 1 && s.Value[0] == '0') || !int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                return false;
            }
        }
        else if (segment is NumberValue n && n.TryGetInt32(out var i))
        {
            index = i;
        }
        else
        {
            return false;
        }

        return index >= 0 && (allowEnd ? index <= count : index < count);
    }

    private static Value? Get(Value value, List<Value> path)
    {
        var current = value;
        foreach (var segment in path)
        {
            switch (current)
            {
                case ObjectValue o:
                    if (!o.TryGetValue(segment, out current!))
                    {
                        return null;
                    }

                    break;
                case ArrayValue a:
                    if (!TryIndex(segment, a.Count, allowEnd: false, out var i))
                    {
                        return null;
                    }

                    current = a[i];
                    break;
                case SetValue s:
                    if (!s.Contains(segment))
                    {
                        return null;
                    }

                    current = segment;
                    break;
                default:
                    return null;
            }
        }

        return current;
    }

    private static Value? Add(Value value, List<Value> path, int depth, Value item)
    {
        if (depth == path.Count)
        {
            return item;
        }

        var segment = path[depth];
        var last = depth == path.Count - 1;
        switch (value)
        {
            case ObjectValue o:
                if (last)
                {
                    return ObjectValue.Wrap(new Dictionary<Value, Value>(o.Items) { [segment] = item });
                }

                return o.TryGetValue(segment, out var child) && Add(child, path, depth + 1, item) is { } updated
                    ? ObjectValue.Wrap(new Dictionary<Value, Value>(o.Items) { [segment] = updated })
                    : null;
            case ArrayValue a:
                if (!TryIndex(segment, a.Count, allowEnd: last, out var index))
                {
                    return null;
                }

                var items = a.ToList();
                if (last)
                {
                    items.Insert(index, item);
                }
                else if (Add(a[index], path, depth + 1, item) is { } inner)
                {
                    items[index] = inner;
                }
                else
                {
                    return null;
                }

                return ArrayValue.Create(items);
            case SetValue s:
                if (last)
                {
                    // A set member is addressed by itself: the key must be the value added.
                    return segment.Equals(item) ? SetValue.Wrap([.. s.Items, item]) : null;
                }

                return s.Contains(segment) && Add(segment, path, depth + 1, item) is { } member ? ReplaceMember(s, segment, member) : null;
            default:
                return null;
        }
    }

    private static SetValue ReplaceMember(SetValue set, Value old, Value replacement)
    {
        var members = new HashSet<Value>(set.Items);
        members.Remove(old);
        members.Add(replacement);
        return SetValue.Wrap(members);
    }

    private static Value? Replace(Value value, List<Value> path, int depth, Value item)
    {
        if (depth == path.Count)
        {
            return item;
        }

        var segment = path[depth];
        switch (value)
        {
            case ObjectValue o:
                return o.TryGetValue(segment, out var child) && Replace(child, path, depth + 1, item) is { } updated
                    ? ObjectValue.Wrap(new Dictionary<Value, Value>(o.Items) { [segment] = updated })
                    : null;
            case ArrayValue a:
                if (!TryIndex(segment, a.Count, allowEnd: false, out var index) || Replace(a[index], path, depth + 1, item) is not { } inner)
                {
                    return null;
                }

                var items = a.ToList();
                items[index] = inner;
                return ArrayValue.Create(items);
            case SetValue s:
                if (!s.Contains(segment))
                {
                    return null;
                }

                if (depth != path.Count - 1)
                {
                    return Replace(segment, path, depth + 1, item) is { } member ? ReplaceMember(s, segment, member) : null;
                }

                return ReplaceMember(s, segment, item);
            default:
                return null;
        }
    }

    private static Value? RemoveAt(Value value, List<Value> path, int depth)
    {
        if (path.Count == 0)
        {
            return null;
        }

        var segment = path[depth];
        var last = depth == path.Count - 1;
        switch (value)
        {
            case ObjectValue o:
                if (!o.TryGetValue(segment, out var child))
                {
                    return null;
                }

                var copy = new Dictionary<Value, Value>(o.Items);
                if (last)
                {
                    copy.Remove(segment);
                }
                else if (RemoveAt(child, path, depth + 1) is { } updated)
                {
                    copy[segment] = updated;
                }
                else
                {
                    return null;
                }

                return ObjectValue.Wrap(copy);
            case ArrayValue a:
                if (!TryIndex(segment, a.Count, allowEnd: false, out var index))
                {
                    return null;
                }

                var items = a.ToList();
                if (last)
                {
                    items.RemoveAt(index);
                }
                else if (RemoveAt(a[index], path, depth + 1) is { } inner)
                {
                    items[index] = inner;
                }
                else
                {
                    return null;
                }

                return ArrayValue.Create(items);
            case SetValue s:
                if (!s.Contains(segment))
                {
                    return null;
                }

                if (!last)
                {
                    return RemoveAt(segment, path, depth + 1) is { } member ? ReplaceMember(s, segment, member) : null;
                }

                var members = new HashSet<Value>(s.Items);
                members.Remove(segment);
                return SetValue.Wrap(members);
            default:
                return null;
        }
    }
}
