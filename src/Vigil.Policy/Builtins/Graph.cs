using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>graph.reachable and graph.reachable_paths over an adjacency object (node -> array/set of nodes).</summary>
internal static class Graph
{
    public static void Register(BuiltinTable table)
    {
        table.Add("graph.reachable", [T.Object, T.Array | T.Set], T.Set, static (_, a) => Reachable(Args.Object(a, 0), a[1]));
        table.Add("graph.reachable_paths", [T.Object, T.Array | T.Set], T.Set, static (_, a) => ReachablePaths(Args.Object(a, 0), a[1]));
    }

    private static IEnumerable<Value> Vertices(Value value) => value switch
    {
        ArrayValue a => a,
        SetValue s => s,
        _ => [],
    };

    private static SetValue Reachable(ObjectValue graph, Value initial)
    {
        var queue = new Queue<Value>(Vertices(initial));
        var reached = new HashSet<Value>();
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (reached.Contains(node) || !graph.TryGetValue(node, out var edges))
            {
                continue;
            }

            reached.Add(node);
            foreach (var neighbor in Vertices(edges))
            {
                if (!reached.Contains(neighbor))
                {
                    queue.Enqueue(neighbor);
                }
            }
        }

        return SetValue.Wrap(reached);
    }

    private static SetValue ReachablePaths(ObjectValue graph, Value initial)
    {
        var result = new HashSet<Value>();
        foreach (var node in Vertices(initial))
        {
            BuildPaths(graph, node, [], result, []);
        }

        return SetValue.Wrap(result);
    }

    private static void BuildPaths(ObjectValue graph, Value root, List<Value> path, HashSet<Value> result, HashSet<Value> reached)
    {
        // Iterative DFS; the shared reached set bounds the work by the graph's size.
        var stack = new Stack<(Value Node, List<Value> Path)>();
        stack.Push((root, path));
        while (stack.Count > 0)
        {
            var (node, prefix) = stack.Pop();
            var nodePath = new List<Value>(prefix) { node };
            if (!graph.TryGetValue(node, out var edges))
            {
                result.Add(ArrayValue.Create(prefix));
                continue;
            }

            var neighbors = Vertices(edges).ToList();
            if (neighbors.Count == 0)
            {
                result.Add(ArrayValue.Create(nodePath));
                continue;
            }

            reached.Add(node);
            for (var i = neighbors.Count - 1; i >= 0; i--)
            {
                if (reached.Contains(neighbors[i]))
                {
                    result.Add(ArrayValue.Create(nodePath));
                }
                else
                {
                    stack.Push((neighbors[i], nodePath));
                }
            }
        }
    }
}
