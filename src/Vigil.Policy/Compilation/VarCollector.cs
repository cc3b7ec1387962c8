namespace Vigil.Policy.Compilation;

/// <summary>Collects the variable slots of IR terms and expressions.</summary>
internal static class VarCollector
{
    /// <summary>Adds the slots of <paramref name="term"/> outside closures to <paramref name="vars"/>, and closures' free slots to <paramref name="closureVars"/>.</summary>
    public static void Vars(Term term, HashSet<int> vars, HashSet<int>? closureVars)
    {
        if (term.IsVarFree)
        {
            return;
        }

        switch (term)
        {
            case VarTerm v:
                vars.Add(v.Slot);
                break;
            case RefTerm r:
                if (r.Head is not null)
                {
                    Vars(r.Head, vars, closureVars);
                }

                foreach (var t in r.Operands)
                {
                    Vars(t, vars, closureVars);
                }

                break;
            case ComprehensionTerm comp:
                closureVars?.UnionWith(comp.OuterSlots);
                break;
            default:
                foreach (var child in term.Elements)
                {
                    Vars(child, vars, closureVars);
                }

                break;
        }
    }

    /// <summary>Slots in pattern positions (bare variables, array elements, object values) that unification can bind.</summary>
    public static void PatternVars(Term term, HashSet<int> vars)
    {
        switch (term)
        {
            case VarTerm v:
                vars.Add(v.Slot);
                break;
            case ArrayTerm a:
                foreach (var t in a.Items)
                {
                    PatternVars(t, vars);
                }

                break;
            case ObjectTerm o:
                foreach (var t in o.Values)
                {
                    PatternVars(t, vars);
                }

                break;
        }
    }
}
