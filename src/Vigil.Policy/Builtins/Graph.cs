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

    private const int MaxSteps = 1_000_000;

    private static IEnumerable<Value> Initial(Value initial) =>
        initial is ArrayValue or SetValue ? Vertices(initial) : throw new BuiltinTypeException(2, "{array, set}", initial);

    private static SetValue Reachable(ObjectValue graph, Value initial)
    {
        var queue = new Queue<Value>(Initial(initial));
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
        var budget = MaxSteps;
        foreach (var node in Initial(initial))
        {
            if (!graph.TryGetValue(node, out var edges))
            {
                continue;
            }

            var neighbors = Vertices(edges).ToList();
            if (neighbors.Count == 0)
            {
                result.Add(ArrayValue.Create(node));
                continue;
            }

            foreach (var neighbor in neighbors)
            {
                BuildPaths(graph, neighbor, node, result, ref budget);
            }
        }

        return SetValue.Wrap(result);
    }

    private sealed class Frame(List<Value> path, List<Value> neighbors)
    {
        public List<Value> Path { get; } = path;

        public List<Value> Neighbors { get; } = neighbors;

        public int Next { get; set; }
    }

    /// <summary>
    /// Depth-first from one neighbour of an initial node, as OPA's conformance cases expect: the
    /// set of reached nodes is shared across the whole walk, so each node is expanded once. A
    /// path ends at a node without edges, before a node missing from the graph, or at an edge to
    /// an already reached node. An explicit stack keeps deep graphs off the call stack.
    /// </summary>
    private static void BuildPaths(ObjectValue graph, Value root, Value start, HashSet<Value> result, ref int budget)
    {
        var reached = new HashSet<Value> { start };
        var stack = new Stack<Frame>();
        Enter(graph, root, [start], result, reached, stack);
        while (stack.Count > 0)
        {
            if (--budget < 0)
            {
                throw new BuiltinErrorException($"too many paths (more than {MaxSteps} steps)");
            }

            var frame = stack.Peek();
            if (frame.Next >= frame.Neighbors.Count)
            {
                stack.Pop();
                continue;
            }

            var neighbor = frame.Neighbors[frame.Next++];
            if (reached.Contains(neighbor))
            {
                result.Add(ArrayValue.Create(frame.Path));
            }
            else
            {
                Enter(graph, neighbor, frame.Path, result, reached, stack);
            }
        }
    }

    private static void Enter(ObjectValue graph, Value node, List<Value> path, HashSet<Value> result, HashSet<Value> reached, Stack<Frame> stack)
    {
        if (!graph.TryGetValue(node, out var edges))
        {
            result.Add(ArrayValue.Create(path));
            return;
        }

        var nodePath = new List<Value>(path) { node };
        var neighbors = Vertices(edges).ToList();
        if (neighbors.Count == 0)
        {
            result.Add(ArrayValue.Create(nodePath));
            return;
        }

        reached.Add(node);
        stack.Push(new Frame(nodePath, neighbors));
    }
}
