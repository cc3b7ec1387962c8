using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Parsing;

internal sealed partial class Parser
{
    /// <summary>How a rule was written; needed for the Rego v1 checks (OPA keeps the same facts on its AST).</summary>
    private sealed record RuleFlags(bool HasIf, bool HasContains, bool BodyGenerated, bool ValueGenerated);

    private readonly Dictionary<Rule, RuleFlags> _ruleFlags = new(ReferenceEqualityComparer.Instance);

    /// <summary>Mutable head while parsing; becomes an immutable <see cref="RuleHead"/>.</summary>
    private sealed class HeadBuilder
    {
        public required List<Term> Ref { get; set; }

        public List<Term>? Args { get; set; }

        public Term? Key { get; set; }

        public Term? Value { get; set; }

        public bool Assign { get; set; }

        public bool ValueGenerated { get; set; }

        public bool UsesContains { get; set; }

        public required SourceLocation Location { get; init; }

        public bool IsMultiValue => Key is not null && Value is null && !ValueGenerated && Args is null;

        public Ref BuildRef() => new(Ref[0], Ref.Count == 1 ? [] : Ref.GetRange(1, Ref.Count - 1), Ref[0].Location);

        public RuleHead Build(SourceLocation location, IReadOnlyList<Term>? args = null) =>
            new(BuildRef(), args ?? Args, Key, ValueGenerated ? null : Value, Assign, IsMultiValue, location);
    }

    /// <summary>How a parsed rule was written: <c>if</c>, <c>contains</c>, and whether its body was implied (no body in source).</summary>
    public (bool HasIf, bool HasContains, bool BodyGenerated) WrittenAs(Rule rule) =>
        _ruleFlags.TryGetValue(rule, out var f) ? (f.HasIf, f.HasContains, f.BodyGenerated) : (false, false, true);

    private Rule NewRule(RuleHead head, Body body, Rule? @else, bool isDefault, SourceLocation location, RuleFlags flags)
    {
        var rule = new Rule(head, body, @else, isDefault, location);
        _ruleFlags[rule] = flags;
        return rule;
    }

    // ---------------------------------------------------------------- package / import

    private Package? ParsePackage()
    {
        var loc = CurLoc;
        Next();
        if (Tok != TokenKind.Ident)
        {
            Illegal();
            return null;
        }

        var term = ParseTerm();
        if (term is null)
        {
            return null;
        }

        var path = new List<Term>();
        switch (term)
        {
            case Var v:
                path.Add(new Scalar(StringValue.Create(v.Name), v.Location));
                break;
            case Ref { Head: Var first } r:
                path.Add(new Scalar(StringValue.Create(first.Name), first.Location));
                foreach (var p in r.Path)
                {
                    if (p is not Scalar { Value: StringValue })
                    {
                        Error(p.Location, $"unexpected {ValueName(p)} token: expecting string");
                        return null;
                    }

                    path.Add(p);
                }

                break;
            case Ref r:
                Error(r.Head.Location, $"unexpected {ValueName(r.Head)} token: expecting var");
                return null;
            default:
                Error(term.Location, $"unexpected {ValueName(term)} token");
                return null;
        }

        return new Package(new Ref(new Var("data", term.Location), path, term.Location), loc);
    }

    private Import? ParseImport()
    {
        var loc = CurLoc;
        Next();
        if (Tok != TokenKind.Ident)
        {
            Illegal();
            return null;
        }

        var term = ParseTerm();
        Ref? path = null;
        switch (term)
        {
            case Var v:
                path = new Ref(v, [], v.Location);
                break;
            case Ref r:
                foreach (var p in r.Path)
                {
                    if (p is not Scalar { Value: StringValue })
                    {
                        Error(p.Location, $"unexpected {ValueName(p)} token: expecting string");
                        return null;
                    }
                }

                path = r;
                break;
        }

        if (path is null)
        {
            if (term is not null)
            {
                Error(CurLoc, "expected path");
            }

            return null;
        }

        var root = path.Head is Var h ? h.Name : "";
        if (root is not ("data" or "input" or "future" or "rego"))
        {
            Error(path.Location, $"unexpected import path, must begin with one of: {{data, future, input, rego}}, got: {path.Head} (hint: if this is unexpected, try updating OPA)");
            return null;
        }

        string? alias = null;
        if (Tok == TokenKind.As)
        {
            Next();
            if (Tok != TokenKind.Ident)
            {
                Illegal("expected var");
                return null;
            }

            alias = ParseVar().Name;
        }
        else if (root is "data" or "input")
        {
            var last = path.Path.Count == 0 ? root : ((StringValue)((Scalar)path.Path[^1]).Value).Value;
            if (TokenKinds.KeywordOrIdent(last) != TokenKind.Ident)
            {
                Error(path.Location, $"unexpected import path, must not end with a keyword, got: {last} (hint: import a different path or use an alias)");
                return null;
            }
        }

        var import = new Import(path, alias, loc);
        return ValidateKeywordImport(import) ? import : null;
    }

    private bool ValidateKeywordImport(Import import)
    {
        var path = import.Path;
        switch (((Var)path.Head).Name)
        {
            case "future":
                if (path.Path.Count == 0 || path.Path[0] is not Scalar { Value: StringValue { Value: "keywords" } })
                {
                    Error(path.Location, "invalid import, must be `future.keywords`");
                    return false;
                }

                if (import.Alias is not null)
                {
                    Error(path.Location, "`future` imports cannot be aliased");
                    return false;
                }

                if (path.Path.Count == 2)
                {
                    var kw = ((StringValue)((Scalar)path.Path[1]).Value).Value;
                    if (kw is not ("contains" or "every" or "if" or "in"))
                    {
                        Error(path.Location, "unexpected keyword, must be one of [contains every if in]");
                        return false;
                    }
                }
                else if (path.Path.Count > 2)
                {
                    Error(path.Location, "invalid import, must be `future.keywords.x`, e.g. `import future.keywords.in`");
                    return false;
                }

                return true;
            case "rego":
                if (path.Path.Count != 1 || path.Path[0] is not Scalar { Value: StringValue { Value: "v1" } })
                {
                    Error(path.Location, $"invalid import `{path}`, must be `rego.v1`");
                    return false;
                }

                if (import.Alias is not null)
                {
                    Error(path.Location, "`rego` imports cannot be aliased");
                    return false;
                }

                return true;
            default:
                return true;
        }
    }

    // ---------------------------------------------------------------- rules

    /// <summary>
    /// Parses a rule and its chained bodies. Returns null without an error when the statement is not written as a
    /// rule with a body (e.g. <c>p := 1</c>); the caller then parses it as an expression and converts it, as OPA does.
    /// </summary>
    private List<Rule>? ParseRules()
    {
        var ruleTok = Cur;
        var ruleLoc = Loc(ruleTok);
        var isDefault = false;
        if (Tok == TokenKind.Default)
        {
            Next();
            isDefault = true;
        }

        if (Tok != TokenKind.Ident)
        {
            return null;
        }

        var errorsBefore = _errors.Count;
        var head = ParseHead();
        if (head is null || _errors.Count > errorsBefore)
        {
            return null;
        }

        if (isDefault)
        {
            if (!ValidateDefaultRule(head, ruleLoc))
            {
                return null;
            }

            var body = TrueBody(ruleLoc);
            return [NewRule(head.Build(head.Location), body, null, true, ruleLoc, new RuleFlags(false, false, false, head.ValueGenerated))];
        }

        var hasIf = Tok == TokenKind.If;
        var refCount = head.Ref.Count;

        // `p[x] if ...` is a single-value rule p[x] (value true unless given).
        if (hasIf && !head.UsesContains && refCount == 2)
        {
            var v = head.Ref[1];
            if ((!IsGround(v) || v is Ref) && head.Args is null)
            {
                head.Key = v;
            }

            if (head.Value is null)
            {
                head.ValueGenerated = true;
            }
        }

        // v0 `p[x] { ... }` is a multi-value rule p; `p[x] = y { ... }` a single-value rule p[x].
        if (!hasIf && !head.UsesContains && head.Args is null && refCount == 2)
        {
            head.Key = head.Ref[1];
            if (head.Value is null)
            {
                head.Ref.RemoveAt(1);
            }
        }

        Body? ruleBody;
        if (hasIf)
        {
            Next();
            ruleBody = Tok == TokenKind.LBrace ? TryParseBraceBodyFirst() : null;
            if (ruleBody is null)
            {
                ruleBody = ParseIfBody();
                if (ruleBody is null)
                {
                    return null;
                }
            }
        }
        else if (Tok == TokenKind.LBrace)
        {
            Next();
            ruleBody = ParseBody(TokenKind.RBrace);
            if (ruleBody is null)
            {
                return null;
            }

            Next();
        }
        else if (head.UsesContains)
        {
            var rule = NewRule(head.Build(head.Location), TrueBody(head.Location), null, false, head.Location, new RuleFlags(false, true, true, false));
            return [rule];
        }
        else
        {
            return null;
        }

        var flags = new RuleFlags(hasIf, head.UsesContains, BodyGenerated: false, head.ValueGenerated);
        Rule? elseRule = null;
        if (Tok == TokenKind.Else)
        {
            var builtRef = head.BuildRef();
            if (builtRef.Path.Count > 0 && !IsGround(builtRef))
            {
                Error(CurLoc, "else keyword cannot be used on rules with variables in head");
                return null;
            }

            if (head.Key is not null)
            {
                Error(CurLoc, "else keyword cannot be used on multi-value rules");
                return null;
            }

            elseRule = ParseElse(head);
            if (elseRule is null)
            {
                return null;
            }
        }

        var first = NewRule(head.Build(head.Location), ruleBody, elseRule, false, ruleLoc, flags);
        var rules = new List<Rule> { first };

        // v0 allows further bodies for the same head: `p { a } { b }`.
        while (Tok == TokenKind.LBrace)
        {
            if (elseRule is not null)
            {
                Error(CurLoc, "expected else keyword");
                return null;
            }

            var loc = CurLoc;
            Next();
            var body = ParseBody(TokenKind.RBrace);
            if (body is null)
            {
                return null;
            }

            Next();
            rules.Add(NewRule(head.Build(loc, RegenerateWildcardArgs(head.Args)), body, null, false, loc, flags));
        }

        return rules;
    }

    /// <summary>
    /// Fast path for <c>if { ... }</c>: parse the braces as a body directly. OPA first tries a single literal (so that
    /// <c>if {1} == x</c> or <c>if {a | b}</c> keep their expression meaning); the body reading is kept only when the
    /// result cannot differ from that: the braces end the statement and the body is not a lone <c>|</c> expression.
    /// Otherwise the position is restored (null) and the caller follows OPA's order.
    /// </summary>
    private Body? TryParseBraceBodyFirst()
    {
        var s = Save();
        Next();
        if (Tok != TokenKind.RBrace)
        {
            var body = ParseBody(TokenKind.RBrace);
            if (body is not null)
            {
                Next();
                var continues = Precedence(Tok) > 0
                    || Tok is TokenKind.In or TokenKind.Assign or TokenKind.Unify or TokenKind.With or TokenKind.Comma or TokenKind.Colon
                    || (!Cur.SpaceBefore && Tok is TokenKind.Dot or TokenKind.LBrack or TokenKind.LParen);
                // `{a | b}` and `{y | y := input.x}`: a `|` on the first expression's left spine means the braces can be
                // a comprehension or a union, which OPA's literal-first order reads as an expression.
                var leadingOr = body.Count == 1 && body[0] is { Negated: false, With.Count: 0 } && LeftSpineHasOr(body[0].Terms);
                if (!continues && !leadingOr)
                {
                    return body;
                }
            }
        }

        Restore(s);
        return null;
    }

    private static bool LeftSpineHasOr(Node terms)
    {
        for (var node = terms; node is Call c && c.Args.Count > 0; node = c.Args[0])
        {
            if (c.Name == "or")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>After <c>if</c>: a single literal, or a braced body (OPA's order; see <see cref="TryParseBraceBodyFirst"/>).</summary>
    private Body? ParseIfBody()
    {
        var s = Save();
        var expr = ParseLiteral(0);

        // `p if { true }` must not be read as "p if <the set {true}>": set literals are never false or undefined
        // (and `p if {}` is an empty body, not an empty object). `p if not {1, 2}` is a negated set, as in OPA.
        if (expr is not null && (expr.Negated || expr.Terms is not (SetTerm or ObjectTerm { Pairs.Count: 0 })))
        {
            return new Body([expr], expr.Location);
        }

        Restore(s);
        if (Tok != TokenKind.LBrace)
        {
            ParseLiteral(0);
            return null;
        }

        Next();
        var body = ParseBody(TokenKind.RBrace);
        if (body is not null)
        {
            Next();
        }

        return body;
    }

    private List<Term>? RegenerateWildcardArgs(List<Term>? args)
    {
        if (args is null)
        {
            return null;
        }

        var copy = new List<Term>(args.Count);
        foreach (var a in args)
        {
            copy.Add(a is Var { IsWildcard: true } w ? NewWildcard(w.Location) : a);
        }

        return copy;
    }

    private Rule? ParseElse(HeadBuilder head)
    {
        Enter();
        try
        {
            var loc = CurLoc;
            Next();
            Term? value = null;
            var assign = false;
            var valueGenerated = false;
            switch (Tok)
            {
                case TokenKind.LBrace or TokenKind.If:
                    valueGenerated = true;
                    break;
                case TokenKind.Assign or TokenKind.Unify:
                    assign = Tok == TokenKind.Assign;
                    Next();
                    value = ParseTermInfixCall();
                    if (value is null)
                    {
                        return null;
                    }

                    break;
                default:
                    Illegal("expected else value term or rule body");
                    return null;
            }

            var elseHead = new RuleHead(head.BuildRef(), RegenerateWildcardArgs(head.Args), null, value, assign, false, loc);
            var hasIf = Tok == TokenKind.If;
            if (!hasIf && Tok != TokenKind.LBrace)
            {
                return NewRule(elseHead, TrueBody(loc), null, false, loc, new RuleFlags(false, false, true, valueGenerated));
            }

            if (hasIf)
            {
                Next();
            }

            Body? body;
            if (Tok == TokenKind.LBrace)
            {
                Next();
                body = ParseBody(TokenKind.RBrace);
                if (body is null)
                {
                    return null;
                }

                Next();
            }
            else if (Tok != TokenKind.Eof)
            {
                var expr = ParseLiteral(0);
                if (expr is null)
                {
                    return null;
                }

                body = new Body([expr], expr.Location);
            }
            else
            {
                Illegal("rule body expected");
                return null;
            }

            Rule? next = null;
            if (Tok == TokenKind.Else)
            {
                next = ParseElse(head);
                if (next is null)
                {
                    return null;
                }
            }

            // As in OPA, an else clause does not inherit the `if` of its rule: v1 wants `else := v if { ... }`.
            return NewRule(elseHead, body, next, false, loc, new RuleFlags(hasIf, false, false, valueGenerated));
        }
        finally
        {
            Leave();
        }
    }

    private HeadBuilder? ParseHead()
    {
        var loc = CurLoc;
        var name = ParseVar();

        // The first suffix may follow whitespace in a head (`p [x]`), but an operator directly after the name is an error.
        if (!Cur.SpaceBefore && Precedence(Tok) > 0)
        {
            Illegal();
            return null;
        }

        Term term = name;
        if (Tok is TokenKind.Dot or TokenKind.LBrack or TokenKind.LParen)
        {
            var r = ParseRef(name, allowSpaceBeforeFirst: true);
            if (r is null)
            {
                Illegal("expected rule head name");
                return null;
            }

            term = r;
        }

        HeadBuilder head;
        switch (term)
        {
            case Var v:
                head = new HeadBuilder { Ref = [v], Location = loc };
                break;
            case Ref { Head: Var } r:
                head = new HeadBuilder { Ref = [r.Head, .. r.Path], Location = loc };
                break;
            case Ref r:
                Error(loc, $"invalid rule head: {r}");
                return null;
            case Call c:
                if (c.Operator.Head is not Var)
                {
                    Illegal($"rule head ref {c.Operator} invalid");
                    return null;
                }

                head = new HeadBuilder { Ref = [c.Operator.Head, .. c.Operator.Path], Args = [.. c.Args], Location = loc };
                break;
            default:
                return null;
        }

        string RefText() => head.BuildRef().ToString();
        switch (Tok)
        {
            case TokenKind.Contains:
                if (head.Args is not null)
                {
                    Illegal($"the contains keyword can only be used with multi-value rule definitions (e.g., {RefText()} contains <VALUE> {{ ... }})");
                    return null;
                }

                Next();
                head.Key = ParseTermInfixCall();
                if (head.Key is null)
                {
                    Illegal($"expected rule key term (e.g., {RefText()} contains <VALUE> {{ ... }})");
                    return null;
                }

                head.UsesContains = true;
                return head;
            case TokenKind.Unify:
                Next();
                head.Value = ParseTermInfixCall();
                if (head.Value is null)
                {
                    return null;
                }

                break;
            case TokenKind.Assign:
                Next();
                head.Assign = true;
                head.Value = ParseTermInfixCall();
                if (head.Value is null)
                {
                    return null;
                }

                break;
        }

        if (head.Value is null && head.Key is null && (head.Ref.Count != 2 || head.Args is not null))
        {
            head.ValueGenerated = true;
        }

        return head;
    }

    private bool ValidateDefaultRule(HeadBuilder head, SourceLocation ruleLoc)
    {
        if (head.Value is null && !head.ValueGenerated)
        {
            Error(ruleLoc, "illegal default rule (must have a value)");
            return false;
        }

        if (head.Value is not null)
        {
            var bad = FindNonConstant(head.Value);
            if (bad is not null)
            {
                Error(ruleLoc, $"illegal default rule (value cannot contain {bad})");
                return false;
            }
        }

        if (head.Args is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in head.Args)
            {
                if (a is not Var v)
                {
                    Error(ruleLoc, $"illegal default rule (arguments cannot contain {ValueName(a)})");
                    return false;
                }

                if (!seen.Add(v.Name))
                {
                    Error(ruleLoc, $"illegal default rule (arguments cannot be repeated {v.Name})");
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>First ref/var/call in a default value, outside comprehensions (OPA's type name), or null.</summary>
    private static string? FindNonConstant(Term t) => t switch
    {
        Ref => "ref",
        Var => "var",
        Call => "call",
        ArrayTerm a => a.Items.Select(FindNonConstant).FirstOrDefault(x => x is not null),
        SetTerm s => s.Items.Select(FindNonConstant).FirstOrDefault(x => x is not null),
        ObjectTerm o => o.Pairs.Select(p => FindNonConstant(p.Key) ?? FindNonConstant(p.Value)).FirstOrDefault(x => x is not null),
        TemplateString => "templatestring",
        _ => null,
    };

    // ---------------------------------------------------------------- bodies and expressions

    private Body? ParseBody(TokenKind end)
    {
        Enter();
        try
        {
            return ParseQueryBody(requireSemi: false, end);
        }
        finally
        {
            Leave();
        }
    }

    private Body? ParseQueryBody(bool requireSemi, TokenKind end)
    {
        var loc = CurLoc;
        if (Tok == end)
        {
            Error(loc, "found empty body");
            return null;
        }

        var exprs = new List<Expr>();
        while (true)
        {
            var expr = ParseLiteral(exprs.Count);
            if (expr is null)
            {
                return null;
            }

            exprs.Add(expr);
            if (Tok == TokenKind.Semicolon)
            {
                Next();
                continue;
            }

            if (Tok == end || requireSemi)
            {
                return new Body(exprs, loc);
            }

            if (!Cur.NewlineBefore)
            {
                Illegal($"expected \\n or ; or {TokenKinds.Describe(end)}");
                return null;
            }
        }
    }

    private Expr? ParseLiteral(int index)
    {
        var loc = CurLoc;
        var negated = false;
        if (Tok == TokenKind.Not)
        {
            Next();
            negated = true;
        }

        Node? terms;
        switch (Tok)
        {
            case TokenKind.Some:
                if (negated)
                {
                    Illegal("illegal negation of 'some'");
                    return null;
                }

                terms = ParseSome();
                break;
            case TokenKind.Every:
                if (negated)
                {
                    Illegal("illegal negation of 'every'");
                    return null;
                }

                terms = ParseEvery();
                break;
            default:
                terms = ParseExprTerms();
                break;
        }

        if (terms is null)
        {
            return null;
        }

        IReadOnlyList<With> with = [];
        if (Tok == TokenKind.With)
        {
            var parsed = ParseWith();
            if (parsed is null)
            {
                return null;
            }

            with = parsed;
        }

        return new Expr(index, negated, terms, with, loc);
    }

    private Term? ParseExprTerms()
    {
        var lhs = ParseTermInfixCall();
        if (lhs is null)
        {
            return null;
        }

        if (Tok is TokenKind.Assign or TokenKind.Unify)
        {
            var op = OpRef(TokenKinds.Describe(Tok), CurLoc);
            Next();
            var rhs = ParseTermInfixCall();
            return rhs is null ? null : new Call(op, [lhs, rhs], lhs.Location);
        }

        return lhs;
    }

    private List<With>? ParseWith()
    {
        var withs = new List<With>();
        while (true)
        {
            var loc = CurLoc;
            Next();
            if (Tok != TokenKind.Ident)
            {
                Illegal("expected ident");
                return null;
            }

            var target = ParseTerm();
            Ref? targetRef;
            switch (target)
            {
                case null:
                    return null;
                case Ref r:
                    targetRef = r;
                    break;
                case Var v:
                    targetRef = new Ref(v, [], v.Location);
                    break;
                default:
                    Error(target.Location, "unexpected term: expected with target path");
                    return null;
            }

            if (Tok != TokenKind.As)
            {
                Illegal("expected as keyword");
                return null;
            }

            Next();
            var value = ParseTermInfixCall();
            if (value is null)
            {
                return null;
            }

            withs.Add(new With(targetRef, value, loc));
            if (Tok != TokenKind.With)
            {
                return withs;
            }
        }
    }

    private SomeDecl? ParseSome()
    {
        var loc = CurLoc;
        var s = Save();
        Next();
        var term = ParseTermInfixCall();
        if (term is Call call)
        {
            switch (call.Name)
            {
                case "internal.member_2":
                    return new SomeDecl(null, call.Args[0], call.Args[1], loc);
                case "internal.member_3":
                    return new SomeDecl(call.Args[0], call.Args[1], call.Args[2], loc);
                default:
                    Illegal("expected `x in xs` or `x, y in xs` expression");
                    return null;
            }
        }

        Restore(s);
        var vars = new List<Var>();
        while (true)
        {
            Next();
            if (Tok != TokenKind.Ident)
            {
                Illegal("expected var");
                return null;
            }

            vars.Add(ParseVar());
            if (Tok != TokenKind.Comma)
            {
                return new SomeDecl(vars, loc);
            }
        }
    }

    private Every? ParseEvery()
    {
        var loc = CurLoc;
        Next();
        var term = ParseTermInfixCall();
        if (term is null)
        {
            return null;
        }

        Term? key = null;
        Term value;
        Term domain;
        switch (term)
        {
            case Call { Name: "internal.member_2" } c:
                value = c.Args[0];
                domain = c.Args[1];
                break;
            case Call { Name: "internal.member_3" } c:
                key = c.Args[0];
                value = c.Args[1];
                domain = c.Args[2];
                if (key is not Var)
                {
                    Illegal("expected key to be a variable");
                    return null;
                }

                break;
            default:
                Illegal("expected `x[, y] in xs { ... }` expression");
                return null;
        }

        if (value is not Var)
        {
            Illegal("expected value to be a variable");
            return null;
        }

        if (Tok != TokenKind.LBrace)
        {
            Illegal("missing body");
            return null;
        }

        Next();
        var body = ParseBody(TokenKind.RBrace);
        if (body is null)
        {
            return null;
        }

        Next();
        return new Every(key, value, domain, body, loc);
    }
}
