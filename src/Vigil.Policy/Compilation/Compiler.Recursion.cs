namespace Vigil.Policy.Compilation;

internal sealed partial class Compiler
{
    /// <summary>Reports rules that depend on themselves (rego_recursion_error), following data refs and calls.</summary>
    private void CheckRecursion(List<RuleNode> nodes)
    {
        var deps = new Dictionary<RuleNode, HashSet<RuleNode>>();
        foreach (var node in nodes)
        {
            if (!node.HasRules)
            {
                continue;
            }

            var set = new HashSet<RuleNode>();
            var rules = new List<Rule>(node.Rules);
            if (node.Default is not null)
            {
                rules.Add(node.Default);
            }

            foreach (var rule in rules)
            {
                for (Rule? r = rule; r is not null; r = r.Else)
                {
                    foreach (var e in r.Body)
                    {
                        ExprDeps(e, set);
                    }

                    foreach (var k in r.Keys)
                    {
                        TermDeps(k, set);
                    }

                    if (r.Value is not null)
                    {
                        TermDeps(r.Value, set);
                    }

                    foreach (var a in r.Args)
                    {
                        TermDeps(a, set);
                    }
                }
            }

            deps[node] = set;
        }

        var state = new Dictionary<RuleNode, int>();
        var stack = new List<RuleNode>();
        var reported = new HashSet<RuleNode>();

        void Visit(RuleNode n)
        {
            state[n] = 1;
            stack.Add(n);
            if (deps.TryGetValue(n, out var ds))
            {
                foreach (var d in ds)
                {
                    var s = state.GetValueOrDefault(d);
                    if (s == 1)
                    {
                        var start = stack.IndexOf(d);
                        var cycle = stack.Skip(start).Select(x => x.FullName).Append(d.FullName);
                        if (reported.Add(d))
                        {
                            var location = d.Rules.Count > 0 ? d.Rules[0].Location : d.Default?.Location ?? default;
                            Error(PolicyErrorCodes.RecursionError, $"rule {d.FullName} is recursive: {string.Join(" -> ", cycle)}", location);
                        }
                    }
                    else if (s == 0)
                    {
                        Visit(d);
                    }
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[n] = 2;
        }

        foreach (var node in deps.Keys)
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }
    }

    private void ExprDeps(Expr e, HashSet<RuleNode> set)
    {
        if (e.A is not null)
        {
            TermDeps(e.A, set);
        }

        if (e.B is not null)
        {
            TermDeps(e.B, set);
        }

        if (e.Key is not null)
        {
            TermDeps(e.Key, set);
        }

        if (e.Body is not null)
        {
            foreach (var x in e.Body)
            {
                ExprDeps(x, set);
            }
        }

        foreach (var w in e.Withs)
        {
            TermDeps(w.Value, set);
            if (w.Replacement?.Function is { } f)
            {
                set.Add(f);
            }
        }
    }

    private void TermDeps(Term t, HashSet<RuleNode> set)
    {
        switch (t)
        {
            case RefTerm r:
                if (r.Root == RefRoot.Data)
                {
                    var node = _root;
                    var i = 0;
                    for (; i < r.Operands.Length; i++)
                    {
                        if (node.HasRules)
                        {
                            break;
                        }

                        if (r.Operands[i] is ConstTerm { Value: Values.StringValue s } && node.Children.TryGetValue(s.Value, out var child))
                        {
                            node = child;
                            continue;
                        }

                        // A dynamic operand is not followed statically; real recursion through it is caught at run time.
                        node = null!;
                        break;
                    }

                    if (node is not null)
                    {
                        if (node.HasRules)
                        {
                            set.Add(node);
                        }
                        else if (i == r.Operands.Length)
                        {
                            AddAllBelow(node, set);
                        }
                    }
                }

                if (r.Head is not null)
                {
                    TermDeps(r.Head, set);
                }

                foreach (var op in r.Operands)
                {
                    TermDeps(op, set);
                }

                break;
            case ComprehensionTerm comp:
                TermDeps(comp.Head, set);
                if (comp.ValueHead is not null)
                {
                    TermDeps(comp.ValueHead, set);
                }

                foreach (var x in comp.Body)
                {
                    ExprDeps(x, set);
                }

                break;
            default:
                if (t is CallTerm { Function: { } function })
                {
                    set.Add(function);
                }

                foreach (var child in t.Elements)
                {
                    TermDeps(child, set);
                }

                break;
        }
    }

    private static void AddAllBelow(RuleNode node, HashSet<RuleNode> set)
    {
        if (node.HasRules)
        {
            set.Add(node);
        }

        foreach (var child in node.Children.Values)
        {
            AddAllBelow(child, set);
        }
    }
}
