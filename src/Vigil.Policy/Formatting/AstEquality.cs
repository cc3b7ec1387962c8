using System.Runtime.CompilerServices;
using Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Formatting;

/// <summary>
/// Structural equality of parsed modules, ignoring source locations and the numbering of generated wildcard
/// variables (each <c>_</c> is a fresh variable whatever its number). Imports compare as a set (the formatter sorts
/// them); annotations by scope, value and target. Used to prove a formatted module means what the original meant.
/// </summary>
internal static class AstEquality
{
    public static bool ModulesEqual(Module a, Module b, bool v1Output)
    {
        if (a.RegoVersion != b.RegoVersion || !Equal(a.Package.Path, b.Package.Path))
        {
            return false;
        }

        var importsA = ImportKeys(a, v1Output);
        var importsB = ImportKeys(b, v1Output);
        if (!importsA.SequenceEqual(importsB, StringComparer.Ordinal) || a.Rules.Count != b.Rules.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Rules.Count; i++)
        {
            if (!Equal(a.Rules[i], b.Rules[i], v1Output))
            {
                return false;
            }
        }

        if (a.Annotations.Count != b.Annotations.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Annotations.Count; i++)
        {
            var (x, y) = (a.Annotations[i], b.Annotations[i]);
            if (x.Scope != y.Scope || !x.Value.Equals(y.Value) || TargetIndex(a, x.Target) != TargetIndex(b, y.Target))
            {
                return false;
            }
        }

        return true;
    }

    private static List<string> ImportKeys(Module m, bool v1Output) =>
        m.Imports.Where(i => !(v1Output && ModuleWriter.IsDroppedInV1(m, i)))
            .Select(i => i.Path + " as " + (i.Alias ?? ""))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static int TargetIndex(Module m, Node target) => target switch
    {
        Package => -1,
        Rule r => IndexOf(m.Rules, r),
        Import i => -2 - IndexOf(m.Imports, i),
        _ => int.MinValue,
    };

    private static int IndexOf<T>(IReadOnlyList<T> list, T item)
        where T : class
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                return i;
            }
        }

        return int.MinValue;
    }

    /// <summary>
    /// Rules are equal when their parts are. In v1 output the head's <c>=</c>/<c>:=</c> and an implied versus an explicit
    /// <c>true</c> value do not count, nor does the key of a single-value rule (the parser records <c>q[1] := y</c>'s key
    /// but not <c>q[1] := y if true</c>'s; the compiler reads the key of multi-value rules only, a
    /// single-value rule's reference carries it): the compiler treats them alike and opa fmt rewrites them.
    /// </summary>
    private static bool Equal(Rule? a, Rule? b, bool v1Output)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (!v1Output)
        {
            return Equal(a, b);
        }

        var (x, y) = (a.Head, b.Head);
        return a.IsDefault == b.IsDefault && x.IsMultiValue == y.IsMultiValue && Equal(x.Reference, y.Reference)
            && ListEqual(x.Args, y.Args) && (!x.IsMultiValue || Equal(x.Key, y.Key)) && Equal(ValueOf(x), ValueOf(y))
            && Equal(a.Body, b.Body) && Equal(a.Else, b.Else, v1Output);
    }

    private static Node? ValueOf(RuleHead head) =>
        head.Value ?? (head.IsMultiValue ? null : new Scalar(Values.Value.True, head.Location));

    private static bool Equal(Node? a, Node? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.GetType() != b.GetType() || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return false;
        }

        return (a, b) switch
        {
            (Rule x, Rule y) => x.IsDefault == y.IsDefault && Equal(x.Head, y.Head) && Equal(x.Body, y.Body) && Equal(x.Else, y.Else),
            (RuleHead x, RuleHead y) => x.Assign == y.Assign && x.IsMultiValue == y.IsMultiValue && Equal(x.Reference, y.Reference)
                && ListEqual(x.Args, y.Args) && Equal(x.Key, y.Key) && Equal(x.Value, y.Value),
            (Body x, Body y) => ListEqual(x.Exprs, y.Exprs),
            (Expr x, Expr y) => x.Index == y.Index && x.Negated == y.Negated && Equal(x.Terms, y.Terms) && ListEqual(x.With, y.With),
            (With x, With y) => Equal(x.Target, y.Target) && Equal(x.Value, y.Value),
            (SomeDecl x, SomeDecl y) => ListEqual(x.Vars, y.Vars) && Equal(x.Key, y.Key) && Equal(x.Value, y.Value) && Equal(x.Domain, y.Domain),
            (Every x, Every y) => Equal(x.Key, y.Key) && Equal(x.Value, y.Value) && Equal(x.Domain, y.Domain) && Equal(x.Body, y.Body),
            (Scalar x, Scalar y) => x.Value.Equals(y.Value) && x.Value.ToString() == y.Value.ToString(),
            (Var x, Var y) => x.IsGenerated ? y.IsGenerated : x.Name == y.Name,
            (Ref x, Ref y) => Equal(x.Head, y.Head) && ListEqual(x.Path, y.Path),
            (ArrayTerm x, ArrayTerm y) => ListEqual(x.Items, y.Items),
            (SetTerm x, SetTerm y) => ListEqual(x.Items, y.Items),
            (ObjectTerm x, ObjectTerm y) => x.Pairs.Count == y.Pairs.Count
                && x.Pairs.Zip(y.Pairs).All(p => Equal(p.First.Key, p.Second.Key) && Equal(p.First.Value, p.Second.Value)),
            (ArrayComprehension x, ArrayComprehension y) => Equal(x.Term, y.Term) && Equal(x.Body, y.Body),
            (SetComprehension x, SetComprehension y) => Equal(x.Term, y.Term) && Equal(x.Body, y.Body),
            (ObjectComprehension x, ObjectComprehension y) => Equal(x.Key, y.Key) && Equal(x.Value, y.Value) && Equal(x.Body, y.Body),
            (Call x, Call y) => Equal(x.Operator, y.Operator) && ListEqual(x.Args, y.Args),
            (TemplateString x, TemplateString y) => x.IsRaw == y.IsRaw && ListEqual(x.Parts, y.Parts),
            _ => false,
        };
    }

    private static bool ListEqual<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b)
        where T : Node
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
