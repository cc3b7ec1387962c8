namespace Vigil.Policy.Syntax.Ast;

/// <summary>Iterative (explicit-stack) traversal of the AST, safe for any nesting depth.</summary>
internal static class AstWalker
{
    /// <summary>The node and all nodes below it, in pre-order (source order for siblings). Includes else rules.</summary>
    public static IEnumerable<Node> Descendants(Node root)
    {
        var stack = new Stack<Node>();
        stack.Push(root);
        var children = new List<Node>();
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            children.Clear();
            AddChildren(node, children);
            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    /// <summary>The direct children of a node.</summary>
    public static void AddChildren(Node node, List<Node> children)
    {
        switch (node)
        {
            case Module m:
                children.Add(m.Package);
                children.AddRange(m.Imports);
                children.AddRange(m.Rules);
                break;
            case Package p:
                children.Add(p.Path);
                break;
            case Import i:
                children.Add(i.Path);
                break;
            case Rule r:
                children.Add(r.Head);
                children.Add(r.Body);
                if (r.Else is not null)
                {
                    children.Add(r.Else);
                }

                break;
            case RuleHead h:
                children.Add(h.Reference);
                if (h.Args is not null)
                {
                    children.AddRange(h.Args);
                }

                if (h.Key is not null)
                {
                    children.Add(h.Key);
                }

                if (h.Value is not null)
                {
                    children.Add(h.Value);
                }

                break;
            case Body b:
                children.AddRange(b.Exprs);
                break;
            case Expr e:
                children.Add(e.Terms);
                children.AddRange(e.With);
                break;
            case With w:
                children.Add(w.Target);
                children.Add(w.Value);
                break;
            case SomeDecl s:
                children.AddRange(s.Vars);
                AddIfNotNull(children, s.Key);
                AddIfNotNull(children, s.Value);
                AddIfNotNull(children, s.Domain);
                break;
            case Every ev:
                AddIfNotNull(children, ev.Key);
                children.Add(ev.Value);
                children.Add(ev.Domain);
                children.Add(ev.Body);
                break;
            case Ref r:
                children.Add(r.Head);
                children.AddRange(r.Path);
                break;
            case ArrayTerm a:
                children.AddRange(a.Items);
                break;
            case SetTerm s:
                children.AddRange(s.Items);
                break;
            case ObjectTerm o:
                foreach (var (k, v) in o.Pairs)
                {
                    children.Add(k);
                    children.Add(v);
                }

                break;
            case ArrayComprehension ac:
                children.Add(ac.Term);
                children.Add(ac.Body);
                break;
            case SetComprehension sc:
                children.Add(sc.Term);
                children.Add(sc.Body);
                break;
            case ObjectComprehension oc:
                children.Add(oc.Key);
                children.Add(oc.Value);
                children.Add(oc.Body);
                break;
            case Call c:
                children.Add(c.Operator);
                children.AddRange(c.Args);
                break;
            case TemplateString ts:
                children.AddRange(ts.Parts);
                break;
        }
    }

    private static void AddIfNotNull(List<Node> children, Node? node)
    {
        if (node is not null)
        {
            children.Add(node);
        }
    }
}
