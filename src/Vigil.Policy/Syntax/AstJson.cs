using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax;

/// <summary>
/// Converts the AST to the JSON shape OPA uses for <c>rego.parse_module</c> and <c>opa parse --format json</c>
/// (without locations): terms are <c>{"type": ..., "value": ...}</c>, bodies lists of <c>{"index", "terms"}</c>.
/// </summary>
internal static class AstJson
{
    public static Value ToValue(Module module)
    {
        var fields = new List<KeyValuePair<string, Value>>
        {
            new("package", Obj(("path", Arr(module.Package.Path.Head, module.Package.Path.Path)))),
        };
        if (module.Imports.Count > 0)
        {
            fields.Add(new("imports", ArrayValue.Create(module.Imports.Select(Import))));
        }

        if (module.Rules.Count > 0)
        {
            fields.Add(new("rules", ArrayValue.Create(module.Rules.Select(Rule))));
        }

        return ObjectValue.Create(fields);
    }

    private static Value Import(Import import)
    {
        var fields = new List<(string, Value)> { ("path", Term(import.Path)) };
        if (import.Alias is not null)
        {
            fields.Add(("alias", Value.From(import.Alias)));
        }

        return Obj([.. fields]);
    }

    private static Value Rule(Rule rule)
    {
        var fields = new List<(string, Value)>();
        if (rule.IsDefault)
        {
            fields.Add(("default", Value.True));
        }

        fields.Add(("head", Head(rule.Head)));
        fields.Add(("body", Body(rule.Body)));
        if (rule.Else is not null)
        {
            fields.Add(("else", Rule(rule.Else)));
        }

        return Obj([.. fields]);
    }

    private static Value Head(RuleHead head)
    {
        var fields = new List<(string, Value)>();
        if (head.Reference.Path.Count == 0 || (head.Key is not null && head.Reference.Path.Count == 1))
        {
            fields.Add(("name", Value.From(head.Name)));
        }

        fields.Add(("ref", Arr(head.Reference.Head, head.Reference.Path)));
        if (head.Args is not null)
        {
            fields.Add(("args", ArrayValue.Create(head.Args.Select(Term))));
        }

        if (head.Key is not null)
        {
            fields.Add(("key", Term(head.Key)));
        }

        if (!head.IsMultiValue)
        {
            fields.Add(("value", head.Value is null ? Typed("boolean", Value.True) : Term(head.Value)));
        }

        if (head.Assign)
        {
            fields.Add(("assign", Value.True));
        }

        return Obj([.. fields]);
    }

    private static Value Body(Body body) => ArrayValue.Create(body.Exprs.Select(Expr));

    private static Value Expr(Expr expr)
    {
        var fields = new List<(string, Value)> { ("index", Value.From(expr.Index)) };
        if (expr.Negated)
        {
            fields.Add(("negated", Value.True));
        }

        Value terms = expr.Terms switch
        {
            Call c => ArrayValue.Create([Term(c.Operator), .. c.Args.Select(Term)]),
            Term t => Term(t),
            SomeDecl s => Obj(("symbols", s.IsIn
                ? ArrayValue.Create(Term(s.Key is null
                    ? new Call(Op("internal", "member_2", s.Location), [s.Value!, s.Domain!], s.Location)
                    : new Call(Op("internal", "member_3", s.Location), [s.Key, s.Value!, s.Domain!], s.Location)))
                : ArrayValue.Create(s.Vars.Select(v => Term(v))))),
            Every e => Every(e),
            _ => Value.Null,
        };
        fields.Add(("terms", terms));
        if (expr.With.Count > 0)
        {
            fields.Add(("with", ArrayValue.Create(expr.With.Select(w => Obj(("target", Term(w.Target)), ("value", Term(w.Value)))))));
        }

        return Obj([.. fields]);
    }

    private static Value Every(Every e)
    {
        var fields = new List<(string, Value)>();
        if (e.Key is not null)
        {
            fields.Add(("key", Term(e.Key)));
        }

        fields.Add(("value", Term(e.Value)));
        fields.Add(("domain", Term(e.Domain)));
        fields.Add(("body", Body(e.Body)));
        return Obj([.. fields]);
    }

    private static Ref Op(string head, string name, SourceLocation loc) =>
        new(new Var(head, loc), [new Scalar(StringValue.Create(name), loc)], loc);

    private static Value Term(Term term)
    {
        // Depth is bounded by the parser; on an unusually small stack fail with an exception rather than overflow.
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        return TermCore(term);
    }

    private static Value TermCore(Term term) => term switch
    {
        Scalar { Value: NullValue } => Obj(("type", Value.From("null"))),
        Scalar { Value: BooleanValue b } => Typed("boolean", b),
        Scalar { Value: NumberValue n } => Typed("number", n),
        Scalar { Value: StringValue s } => Typed("string", s),
        Var v => Typed("var", Value.From(v.Name)),
        Ref r => Typed("ref", Arr(r.Head, r.Path)),
        ArrayTerm a => Typed("array", ArrayValue.Create(a.Items.Select(Term))),
        SetTerm s => Typed("set", ArrayValue.Create(s.Items.Select(Term))),
        ObjectTerm o => Typed("object", ArrayValue.Create(o.Pairs.Select(p => (Value)ArrayValue.Create(Term(p.Key), Term(p.Value))))),
        ArrayComprehension c => Typed("arraycomprehension", Obj(("term", Term(c.Term)), ("body", Body(c.Body)))),
        SetComprehension c => Typed("setcomprehension", Obj(("term", Term(c.Term)), ("body", Body(c.Body)))),
        ObjectComprehension c => Typed("objectcomprehension", Obj(("key", Term(c.Key)), ("value", Term(c.Value)), ("body", Body(c.Body)))),
        Call c => Typed("call", ArrayValue.Create([Term(c.Operator), .. c.Args.Select(Term)])),
        TemplateString t => Typed("templatestring", ArrayValue.Create(t.Parts.Select(p => p switch
        {
            Expr e => Expr(e),
            Term x => Term(x),
            _ => Value.Null,
        }))),
        _ => Value.Null,
    };

    private static ArrayValue Arr(Term head, IReadOnlyList<Term> path) => ArrayValue.Create([Term(head), .. path.Select(Term)]);

    private static Value Typed(string type, Value value) => Obj(("type", Value.From(type)), ("value", value));

    private static ObjectValue Obj(params (string Key, Value Value)[] fields) =>
        ObjectValue.Create(fields.Select(f => new KeyValuePair<string, Value>(f.Key, f.Value)));
}
