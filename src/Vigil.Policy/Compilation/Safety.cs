namespace Vigil.Policy.Compilation;

/// <summary>
/// Reorders a body so that every expression runs only once the variables it needs are bound, as OPA's
/// safety check does: repeatedly take, in source order, each expression whose inputs are bound, then
/// add the variables it binds. Expressions that can never run report "var x is unsafe".
/// </summary>
internal static class Safety
{
    /// <summary>
    /// Orders <paramref name="body"/> for safety; operands of negated expressions are moved out before and after the
    /// reorder (<see cref="NegatedOperands"/>). <paramref name="equalIsUnify"/> is true for module bodies, where OPA
    /// treats <c>==</c> as <c>=</c>.
    /// </summary>
    public static Expr[] Reorder(Compiler compiler, Expr[] body, Scope scope, HashSet<int> globals, bool equalIsUnify, out HashSet<int> safe)
    {
        body = NegatedOperands.ExpandCalls(body, scope);
        var safeSet = new HashSet<int>(globals);
        safe = safeSet;
        bool IsSafe(int slot) => safeSet.Contains(slot) || !scope.OwnSlots.Contains(slot);

        var done = new bool[body.Length];
        var result = new List<Expr>(body.Length);
        var needed = new HashSet<int>();
        var closure = new HashSet<int>();
        while (true)
        {
            var progress = false;
            for (var i = 0; i < body.Length; i++)
            {
                if (done[i])
                {
                    continue;
                }

                var e = body[i];
                needed.Clear();
                closure.Clear();
                ExprVars(e, needed, closure);
                var outputs = Outputs(e, IsSafe);
                var ready = true;
                foreach (var v in needed)
                {
                    if (!IsSafe(v) && !outputs.Contains(v))
                    {
                        ready = false;
                        break;
                    }
                }

                if (ready)
                {
                    foreach (var v in closure)
                    {
                        if (!IsSafe(v) && !outputs.Contains(v))
                        {
                            ready = false;
                            break;
                        }
                    }
                }

                if (!ready)
                {
                    continue;
                }

                done[i] = true;
                result.Add(e);
                safeSet.UnionWith(outputs);
                progress = true;
            }

            if (!progress)
            {
                break;
            }
        }

        if (result.Count < body.Length)
        {
            for (var i = 0; i < body.Length; i++)
            {
                if (done[i])
                {
                    continue;
                }

                var e = body[i];
                var names = new SortedDictionary<string, int>(StringComparer.Ordinal);
                CollectNames(e, names, IsSafe);
                foreach (var (name, _) in names)
                {
                    compiler.Error(PolicyErrorCodes.UnsafeVarError, $"var {name} is unsafe", e.Location);
                }

                result.Add(e);
            }
        }

        return NegatedOperands.HoistDynamics([.. result], scope, equalIsUnify);
    }

    private static void ExprVars(Expr e, HashSet<int> needed, HashSet<int> closure)
    {
        switch (e.Kind)
        {
            case ExprKind.Every:
                VarCollector.Vars(e.A!, needed, closure);
                closure.UnionWith(e.OuterSlots);
                break;
            case ExprKind.NoOp:
                break;
            default:
                if (e.A is not null)
                {
                    VarCollector.Vars(e.A, needed, closure);
                }

                if (e.B is not null)
                {
                    VarCollector.Vars(e.B, needed, closure);
                }

                if (e.Key is not null)
                {
                    VarCollector.Vars(e.Key, needed, closure);
                }

                break;
        }

        foreach (var w in e.Withs)
        {
            VarCollector.Vars(w.Value, needed, closure);
        }
    }

    private static HashSet<int> Outputs(Expr e, Func<int, bool> isSafe)
    {
        var outputs = new HashSet<int>();
        if (e.Negated)
        {
            return outputs;
        }

        foreach (var w in e.Withs)
        {
            var vars = new HashSet<int>();
            VarCollector.Vars(w.Value, vars, vars);
            foreach (var v in vars)
            {
                if (!isSafe(v))
                {
                    return outputs;
                }
            }
        }

        switch (e.Kind)
        {
            case ExprKind.Term:
                if (e.A is CallTerm c && c.Args.Length == c.Arity + 1)
                {
                    for (var i = 0; i < c.Arity; i++)
                    {
                        TermOutputs(c.Args[i], outputs, isSafe);
                    }

                    // Inputs must be bound before the output can be.
                    var inputs = new HashSet<int>();
                    for (var i = 0; i < c.Arity; i++)
                    {
                        VarCollector.Vars(c.Args[i], inputs, inputs);
                    }

                    foreach (var v in inputs)
                    {
                        if (!isSafe(v) && !outputs.Contains(v))
                        {
                            return outputs;
                        }
                    }

                    VarCollector.Vars(c.Args[^1], outputs, null);
                }
                else
                {
                    TermOutputs(e.A!, outputs, isSafe);
                }

                break;
            case ExprKind.Unify:
                TermOutputs(e.A!, outputs, isSafe);
                TermOutputs(e.B!, outputs, isSafe);
                bool changed;
                var guard = 0;
                do
                {
                    var before = outputs.Count;
                    Unify(e.A!, e.B!, outputs, isSafe);
                    changed = outputs.Count != before;
                }
                while (changed && ++guard < 64);
                break;
            case ExprKind.SomeIn:
                {
                    TermOutputs(e.A!, outputs, isSafe);
                    if (AllKnown(e.A!, outputs, isSafe))
                    {
                        VarCollector.Vars(e.B!, outputs, null);
                        if (e.Key is not null)
                        {
                            VarCollector.Vars(e.Key, outputs, null);
                        }
                    }

                    break;
                }

            case ExprKind.Every:
                TermOutputs(e.A!, outputs, isSafe);
                break;
        }

        return outputs;
    }

    /// <summary>Variables bound by evaluating refs with unbound operands (iteration).</summary>
    private static void TermOutputs(Term t, HashSet<int> outputs, Func<int, bool> isSafe)
    {
        if (t.IsVarFree)
        {
            return;
        }

        switch (t)
        {
            case RefTerm r:
                {
                    if (r.Head is not null)
                    {
                        // A call or literal heading the ref is evaluated first (OPA's expandExprRef binds it to a
                        // generated variable), so refs in its arguments may iterate: split(xs[_], ",")[0].
                        TermOutputs(r.Head, outputs, isSafe);
                        var headVars = new HashSet<int>();
                        VarCollector.Vars(r.Head, headVars, headVars);
                        foreach (var v in headVars)
                        {
                            if (!isSafe(v) && !outputs.Contains(v))
                            {
                                return;
                            }
                        }
                    }

                    foreach (var op in r.Operands)
                    {
                        VarCollector.Vars(op, outputs, null);
                        TermOutputs(op, outputs, isSafe);
                    }

                    break;
                }

            default:
                foreach (var child in t.Elements)
                {
                    TermOutputs(child, outputs, isSafe);
                }

                break;
        }
    }

    private static bool Known(int v, HashSet<int> outputs, Func<int, bool> isSafe) => isSafe(v) || outputs.Contains(v);

    private static bool AllKnown(Term t, HashSet<int> outputs, Func<int, bool> isSafe)
    {
        var vars = new HashSet<int>();
        VarCollector.Vars(t, vars, vars);
        foreach (var v in vars)
        {
            if (!Known(v, outputs, isSafe))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsComposite(Term t) => t is ArrayTerm or ObjectTerm;

    private static void Unify(Term a, Term b, HashSet<int> outputs, Func<int, bool> isSafe)
    {
        if (a is VarTerm va)
        {
            if (b is VarTerm vb)
            {
                var ka = Known(va.Slot, outputs, isSafe);
                var kb = Known(vb.Slot, outputs, isSafe);
                if (ka && !kb)
                {
                    outputs.Add(vb.Slot);
                }
                else if (kb && !ka)
                {
                    outputs.Add(va.Slot);
                }

                return;
            }

            if (AllKnown(b, outputs, isSafe))
            {
                outputs.Add(va.Slot);
            }
            else if (IsComposite(b) && Known(va.Slot, outputs, isSafe))
            {
                VarCollector.PatternVars(b, outputs);
            }

            return;
        }

        if (b is VarTerm)
        {
            Unify(b, a, outputs, isSafe);
            return;
        }

        if (a is ArrayTerm aa && b is ArrayTerm ba)
        {
            if (aa.Items.Length == ba.Items.Length)
            {
                for (var i = 0; i < aa.Items.Length; i++)
                {
                    Unify(aa.Items[i], ba.Items[i], outputs, isSafe);
                }
            }

            return;
        }

        if (a is ObjectTerm oa && b is ObjectTerm ob)
        {
            for (var i = 0; i < oa.Keys.Length; i++)
            {
                for (var j = 0; j < ob.Keys.Length; j++)
                {
                    if (SameKey(oa.Keys[i], ob.Keys[j]))
                    {
                        Unify(oa.Values[i], ob.Values[j], outputs, isSafe);
                    }
                }
            }

            return;
        }

        if (IsComposite(a) && !IsComposite(b))
        {
            if (AllKnown(b, outputs, isSafe))
            {
                VarCollector.PatternVars(a, outputs);
            }

            return;
        }

        if (IsComposite(b) && !IsComposite(a) && AllKnown(a, outputs, isSafe))
        {
            VarCollector.PatternVars(b, outputs);
        }
    }

    private static bool SameKey(Term a, Term b) => (a, b) switch
    {
        (ConstTerm x, ConstTerm y) => x.Value.Equals(y.Value),
        (VarTerm x, VarTerm y) => x.Slot == y.Slot,
        _ => false,
    };

    private static void CollectNames(Expr e, SortedDictionary<string, int> names, Func<int, bool> isSafe)
    {
        void Walk(Term? t)
        {
            if (t is null || t.IsVarFree)
            {
                return;
            }

            switch (t)
            {
                case VarTerm v:
                    if (!isSafe(v.Slot))
                    {
                        names[v.Name.StartsWith('$') ? "_" : v.Name] = v.Slot;
                    }

                    break;
                case RefTerm r:
                    Walk(r.Head);
                    foreach (var x in r.Operands)
                    {
                        Walk(x);
                    }

                    break;
                default:
                    foreach (var child in t.Elements)
                    {
                        Walk(child);
                    }

                    break;
            }
        }

        Walk(e.A);
        if (e.Kind != ExprKind.Every)
        {
            Walk(e.B);
            Walk(e.Key);
        }

        foreach (var w in e.Withs)
        {
            Walk(w.Value);
        }
    }
}
