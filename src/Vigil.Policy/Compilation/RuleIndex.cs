using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

/// <summary>
/// Index over the rules of one node: when several rules test the same input path against constants
/// (<c>input.method == "GET"</c>, <c>input.x = "c"</c>), evaluation looks the input value up in a dictionary and
/// only runs the rules whose constant matches, plus the rules that do not test that path.
/// </summary>
internal sealed class RuleIndex
{
    private readonly string[] _path;
    private readonly StringValue[] _keys;
    private readonly Dictionary<Value, Rule[]> _byValue;
    private readonly Rule[] _unindexed;

    private RuleIndex(string[] path, Dictionary<Value, Rule[]> byValue, Rule[] unindexed)
    {
        _path = path;
        _keys = Array.ConvertAll(path, StringValue.Create);
        _byValue = byValue;
        _unindexed = unindexed;
    }

    /// <summary>The input path the index keys on (below <c>input</c>).</summary>
    public IReadOnlyList<string> Path => _path;

    /// <summary>Builds an index for the node when at least two of its rules test the same input path; otherwise leaves <see cref="RuleNode.Index"/> null.</summary>
    public static void TryBuild(RuleNode node)
    {
        var rules = node.Rules;
        if (rules.Count < 2 || node.Kind == RuleKind.Function)
        {
            return;
        }

        // Pick the input path tested by the most rules.
        var conditions = new Dictionary<string, Value>?[rules.Count];
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.Else is not null)
            {
                continue;
            }

            foreach (var expr in rule.Body)
            {
                if (!TryGetCondition(expr, out var path, out var value))
                {
                    continue;
                }

                var key = string.Join('\u0001', path);
                conditions[i] ??= new Dictionary<string, Value>(StringComparer.Ordinal);
                if (conditions[i]!.TryAdd(key, value))
                {
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                    paths[key] = path;
                }
            }
        }

        if (counts.Count == 0)
        {
            return;
        }

        var best = counts.MaxBy(static kv => kv.Value);
        if (best.Value < 2)
        {
            return;
        }

        var unindexed = new List<Rule>();
        var byValue = new Dictionary<Value, List<int>>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (conditions[i] is { } c && c.TryGetValue(best.Key, out var value))
            {
                if (!byValue.TryGetValue(value, out var list))
                {
                    list = [];
                    byValue[value] = list;
                }

                list.Add(i);
            }
            else
            {
                unindexed.Add(rules[i]);
            }
        }

        // Keep source order within each candidate list.
        var merged = new Dictionary<Value, Rule[]>(byValue.Count);
        foreach (var (value, indices) in byValue)
        {
            var candidates = new List<Rule>();
            for (var i = 0; i < rules.Count; i++)
            {
                if (indices.Contains(i) || (conditions[i] is not { } c || !c.ContainsKey(best.Key)))
                {
                    candidates.Add(rules[i]);
                }
            }

            merged[value] = [.. candidates];
        }

        node.Index = new RuleIndex(paths[best.Key], merged, [.. unindexed]);
    }

    /// <summary><c>input.a.b == const</c>, <c>const == input.a.b</c>, <c>input.a.b = const</c> (not negated, no <c>with</c>).</summary>
    private static bool TryGetCondition(Expr expr, out string[] path, out Value value)
    {
        path = [];
        value = null!;
        if (expr.Negated || expr.Withs.Length > 0)
        {
            return false;
        }

        Term? left = null;
        Term? right = null;
        if (expr.Kind == ExprKind.Unify)
        {
            left = expr.A;
            right = expr.B;
        }
        else if (expr.Kind == ExprKind.Term && expr.A is CallTerm { Name: "equal", Args.Length: 2, Arity: 2 } call)
        {
            left = call.Args[0];
            right = call.Args[1];
        }

        if (left is ConstTerm && right is RefTerm)
        {
            (left, right) = (right, left);
        }

        if (left is not RefTerm { Root: RefRoot.Input } r || right is not ConstTerm c || r.Operands.Length == 0)
        {
            return false;
        }

        var segments = new string[r.Operands.Length];
        for (var i = 0; i < segments.Length; i++)
        {
            if (r.Operands[i] is not ConstTerm { Value: StringValue s })
            {
                return false;
            }

            segments[i] = s.Value;
        }

        path = segments;
        value = c.Value;
        return true;
    }

    /// <summary>The candidate rules for <paramref name="input"/>, in source order.</summary>
    public Rule[] Lookup(Value? input)
    {
        var current = input;
        foreach (var key in _keys)
        {
            if (current is not ObjectValue o || !o.TryGetValue(key, out var next))
            {
                return _unindexed;
            }

            current = next;
        }

        return _byValue.TryGetValue(current!, out var rules) ? rules : _unindexed;
    }
}
