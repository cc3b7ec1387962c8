using System.Runtime.CompilerServices;
using System.Text;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Ast;

/// <summary>
/// Writes nodes as Rego-like text, for diagnostics and tests. Recursion is bounded by the parser's depth limit;
/// on a thread too small for that, the text is cut short with "…" rather than overflowing the stack.
/// </summary>
internal static class AstPrinter
{
    private static readonly Dictionary<string, string> Infix = new(StringComparer.Ordinal)
    {
        ["eq"] = "=", ["assign"] = ":=", ["equal"] = "==", ["neq"] = "!=", ["lt"] = "<", ["lte"] = "<=", ["gt"] = ">",
        ["gte"] = ">=", ["plus"] = "+", ["minus"] = "-", ["mul"] = "*", ["div"] = "/", ["rem"] = "%", ["and"] = "&", ["or"] = "|",
    };

    public static void Append(StringBuilder b, Node node)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            b.Append('…');
            return;
        }

        switch (node)
        {
            case Module m:
                Append(b, m.Package);
                foreach (var i in m.Imports)
                {
                    b.Append('\n');
                    Append(b, i);
                }

                foreach (var r in m.Rules)
                {
                    b.Append('\n');
                    Append(b, r);
                }

                break;
            case Package p:
                b.Append("package ");
                Append(b, p.Path);
                break;
            case Import i:
                b.Append("import ");
                Append(b, i.Path);
                if (i.Alias is not null)
                {
                    b.Append(" as ").Append(i.Alias);
                }

                break;
            case Rule r:
                AppendRule(b, r);
                break;
            case RuleHead h:
                AppendHead(b, h);
                break;
            case Body body:
                for (var i = 0; i < body.Exprs.Count; i++)
                {
                    if (i > 0)
                    {
                        b.Append("; ");
                    }

                    Append(b, body.Exprs[i]);
                }

                break;
            case Expr e:
                if (e.Negated)
                {
                    b.Append("not ");
                }

                Append(b, e.Terms);
                foreach (var w in e.With)
                {
                    b.Append(' ');
                    Append(b, w);
                }

                break;
            case With w:
                b.Append("with ");
                Append(b, w.Target);
                b.Append(" as ");
                Append(b, w.Value);
                break;
            case SomeDecl s:
                b.Append("some ");
                if (s.IsIn)
                {
                    if (s.Key is not null)
                    {
                        Append(b, s.Key);
                        b.Append(", ");
                    }

                    Append(b, s.Value!);
                    b.Append(" in ");
                    Append(b, s.Domain!);
                }
                else
                {
                    AppendList(b, s.Vars);
                }

                break;
            case Every ev:
                b.Append("every ");
                if (ev.Key is not null)
                {
                    Append(b, ev.Key);
                    b.Append(", ");
                }

                Append(b, ev.Value);
                b.Append(" in ");
                Append(b, ev.Domain);
                b.Append(" { ");
                Append(b, ev.Body);
                b.Append(" }");
                break;
            case Term t:
                AppendTerm(b, t);
                break;
            default:
                b.Append(node.GetType().Name);
                break;
        }
    }

    private static void AppendRule(StringBuilder b, Rule r)
    {
        if (r.IsDefault)
        {
            b.Append("default ");
        }

        AppendHead(b, r.Head);
        b.Append(" if { ");
        Append(b, r.Body);
        b.Append(" }");
        for (var e = r.Else; e is not null; e = e.Else)
        {
            b.Append(" else");
            if (e.Head.Value is not null)
            {
                b.Append(e.Head.Assign ? " := " : " = ");
                Append(b, e.Head.Value);
            }

            b.Append(" { ");
            Append(b, e.Body);
            b.Append(" }");
        }
    }

    private static void AppendHead(StringBuilder b, RuleHead h)
    {
        // For a partial object the reference already ends with the key (p[k] = v).
        Append(b, h.Reference);

        if (h.Args is not null)
        {
            b.Append('(');
            AppendList(b, h.Args);
            b.Append(')');
        }

        if (h.IsMultiValue)
        {
            b.Append(" contains ");
            Append(b, h.Key!);
        }

        if (h.Value is not null)
        {
            b.Append(h.Assign ? " := " : " = ");
            Append(b, h.Value);
        }
    }

    private static void AppendList<T>(StringBuilder b, IReadOnlyList<T> items)
        where T : Node
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                b.Append(", ");
            }

            Append(b, items[i]);
        }
    }

    private static void AppendTerm(StringBuilder b, Term t)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            b.Append('…');
            return;
        }

        switch (t)
        {
            case Scalar s:
                b.Append(s.Value.ToString());
                break;
            case Var v:
                b.Append(v.Name);
                break;
            case Ref r:
                AppendTerm(b, r.Head);
                foreach (var p in r.Path)
                {
                    if (p is Scalar { Value: StringValue sv } && IsIdentifier(sv.Value))
                    {
                        b.Append('.').Append(sv.Value);
                    }
                    else
                    {
                        b.Append('[');
                        AppendTerm(b, p);
                        b.Append(']');
                    }
                }

                break;
            case ArrayTerm a:
                b.Append('[');
                AppendList(b, a.Items);
                b.Append(']');
                break;
            case SetTerm s:
                if (s.Items.Count == 0)
                {
                    b.Append("set()");
                }
                else
                {
                    b.Append('{');
                    AppendList(b, s.Items);
                    b.Append('}');
                }

                break;
            case ObjectTerm o:
                b.Append('{');
                for (var i = 0; i < o.Pairs.Count; i++)
                {
                    if (i > 0)
                    {
                        b.Append(", ");
                    }

                    AppendTerm(b, o.Pairs[i].Key);
                    b.Append(": ");
                    AppendTerm(b, o.Pairs[i].Value);
                }

                b.Append('}');
                break;
            case ArrayComprehension ac:
                b.Append('[');
                AppendTerm(b, ac.Term);
                b.Append(" | ");
                Append(b, ac.Body);
                b.Append(']');
                break;
            case SetComprehension sc:
                b.Append('{');
                AppendTerm(b, sc.Term);
                b.Append(" | ");
                Append(b, sc.Body);
                b.Append('}');
                break;
            case ObjectComprehension oc:
                b.Append('{');
                AppendTerm(b, oc.Key);
                b.Append(": ");
                AppendTerm(b, oc.Value);
                b.Append(" | ");
                Append(b, oc.Body);
                b.Append('}');
                break;
            case Call c:
                if (c.Name is { } name && Infix.TryGetValue(name, out var op) && c.Args.Count == 2)
                {
                    AppendOperand(b, c.Args[0]);
                    b.Append(' ').Append(op).Append(' ');
                    AppendOperand(b, c.Args[1]);
                }
                else if (c.Name == "internal.member_2" && c.Args.Count == 2)
                {
                    AppendTerm(b, c.Args[0]);
                    b.Append(" in ");
                    AppendTerm(b, c.Args[1]);
                }
                else if (c.Name == "internal.member_3" && c.Args.Count == 3)
                {
                    AppendTerm(b, c.Args[0]);
                    b.Append(", ");
                    AppendTerm(b, c.Args[1]);
                    b.Append(" in ");
                    AppendTerm(b, c.Args[2]);
                }
                else
                {
                    AppendTerm(b, c.Operator);
                    b.Append('(');
                    AppendList(b, c.Args);
                    b.Append(')');
                }

                break;
            case TemplateString ts:
                b.Append("$\"");
                foreach (var part in ts.Parts)
                {
                    if (part is Scalar { Value: StringValue lit })
                    {
                        b.Append(lit.Value.Replace("{", "\\{", StringComparison.Ordinal));
                    }
                    else
                    {
                        b.Append('{');
                        Append(b, part);
                        b.Append('}');
                    }
                }

                b.Append('"');
                break;
            default:
                b.Append(t.GetType().Name);
                break;
        }
    }

    /// <summary>Operands that are themselves infix calls are parenthesised, so the printed text shows the parse.</summary>
    private static void AppendOperand(StringBuilder b, Term t)
    {
        if (t is Call { Name: { } n } c && (Infix.ContainsKey(n) || n.StartsWith("internal.member_", StringComparison.Ordinal)) && c.Args.Count >= 2)
        {
            b.Append('(');
            AppendTerm(b, t);
            b.Append(')');
        }
        else
        {
            AppendTerm(b, t);
        }
    }

    internal static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
