using Vigil.Policy.Builtins;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Parsing;

internal sealed partial class Parser
{
    /// <summary>Result of parsing a module: the module (null when there are syntax errors) and the Rego v1 check errors.</summary>
    public sealed record ModuleResult(Module? Module, IReadOnlyList<PolicyError> SyntaxErrors, IReadOnlyList<PolicyError> V1Errors, bool ImportsRegoV1);

    /// <summary>
    /// Parses a whole module. Syntax is the same for v0 and v1 (all keywords enabled); the Rego v1 rule checks
    /// (<c>if</c>/<c>contains</c> required, ...) are reported separately so the caller can decide per version.
    /// </summary>
    public ModuleResult ParseModule()
    {
        var statements = new List<object>();
        while (Tok != TokenKind.Eof && _errors.Count < MaxErrors)
        {
            // Backtracking never crosses statements, so the memo table only needs the current one.
            _termCache.Clear();
            var errorsBefore = _errors.Count;
            var stmt = Guard(ParseStatement);
            if (stmt is not null && _errors.Count == errorsBefore)
            {
                statements.Add(stmt);
                continue;
            }

            if (_errors.Count == errorsBefore)
            {
                Illegal();
            }

            SkipToNextStatement();
        }

        if (_errors.Count > 0)
        {
            return new ModuleResult(null, _errors, [], false);
        }

        if (statements.Count == 0)
        {
            Error(new SourceLocation(_file, 1, 1), "empty module");
            return new ModuleResult(null, _errors, [], false);
        }

        Package? package = statements[0] as Package;
        if (package is null)
        {
            Error(StatementLocation(statements[0]), "package expected");
        }

        var imports = new List<Import>();
        var rules = new List<Rule>();
        var importsRegoV1 = false;
        for (var i = 1; i < statements.Count; i++)
        {
            switch (statements[i])
            {
                case Import imp:
                    imports.Add(imp);
                    importsRegoV1 |= imp.Path.DottedName == "rego.v1";
                    break;
                case List<Rule> rs:
                    rules.AddRange(rs);
                    break;
                case Body body:
                    var rule = RuleFromBody(body);
                    if (rule is not null)
                    {
                        rules.Add(rule);
                    }

                    break;
                case Package p:
                    Error(p.Location, "unexpected package");
                    break;
            }
        }

        if (_errors.Count > 0 || package is null)
        {
            return new ModuleResult(null, _errors, [], importsRegoV1);
        }

        var targets = new List<AnnotationParser.Target>(rules.Count + imports.Count + 1) { new(package, package.Location.Line) };
        targets.AddRange(imports.Select(i => new AnnotationParser.Target(i, i.Location.Line)));
        targets.AddRange(rules.Select(r => new AnnotationParser.Target(r, r.Location.Line)));
        targets.Sort((a, b) => a.Line.CompareTo(b.Line));
        var annotations = AnnotationParser.Attach(_file, _text, _comments, targets, _errors);
        if (_errors.Count > 0)
        {
            return new ModuleResult(null, _errors, [], importsRegoV1);
        }

        var v1Errors = new List<PolicyError>();
        foreach (var rule in rules)
        {
            for (var r = rule; r is not null; r = r.Else)
            {
                CheckRegoV1(r, v1Errors);
            }
        }

        var module = new Module(_file, package, imports, rules, importsRegoV1 ? RegoVersion.V1 : RegoVersion.V0, annotations);
        return new ModuleResult(module, [], v1Errors, importsRegoV1);
    }

    private static SourceLocation StatementLocation(object stmt) => stmt switch
    {
        Node n => n.Location,
        List<Rule> rs => rs[0].Location,
        _ => default,
    };

    /// <summary>After an error, skips to the next line that starts (column 1) with something that can start a statement.</summary>
    private void SkipToNextStatement()
    {
        if (Tok == TokenKind.Eof)
        {
            return;
        }

        Next();
        while (Tok != TokenKind.Eof)
        {
            var t = Cur;
            if (t.NewlineBefore && t.Column == 1 && t.Kind is TokenKind.Ident or TokenKind.Default or TokenKind.Import or TokenKind.Package)
            {
                return;
            }

            Next();
        }
    }

    private object? ParseStatement()
    {
        var s = Save();
        switch (Tok)
        {
            case TokenKind.Package:
                return ParsePackage();
            case TokenKind.Import:
                return ParseImport();
        }

        var rules = ParseRules();
        if (rules is not null || _errors.Count > s.ErrorCount)
        {
            return rules;
        }

        Restore(s);
        return ParseQueryBody(requireSemi: true, TokenKind.Eof);
    }

    // ---------------------------------------------------------------- statements written as expressions

    /// <summary>Interprets <c>p := 1</c>, <c>p.q = 2</c>, <c>p[x] = y</c>, <c>f(x) := y</c>, <c>p[x]</c>, <c>a.b.c</c> and <c>f(x)</c> as rules, as OPA does.</summary>
    private Rule? RuleFromBody(Body body)
    {
        var expr = body[0];
        string? problem = null;
        Rule? rule = null;
        if (body.Count != 1)
        {
            problem = "multiple expressions cannot be used for rule head";
        }
        else if (expr.With.Count > 0)
        {
            problem = "expressions using with keyword cannot be used for rule head";
        }
        else if (expr.Negated)
        {
            problem = "negated expressions cannot be used for rule head";
        }
        else if (expr.Terms is SomeDecl)
        {
            problem = "'some' declarations cannot be used for rule head";
        }
        else if (expr.Terms is Every)
        {
            problem = "expression cannot be used for rule head";
        }
        else if (expr.Terms is Call { Name: "eq" or "assign" } eq)
        {
            rule = RuleFromEquality(eq.Args[0], eq.Args[1], eq.Name == "assign", expr.Location, out problem);
        }
        else if (expr.Terms is Call call)
        {
            rule = RuleFromCall(call, expr.Location, out problem);
        }
        else if (expr.Terms is Ref r)
        {
            rule = RuleFromRefTerm(r, expr.Location, out problem);
        }
        else if (expr.Terms is Term t)
        {
            problem = $"{ValueName(t)} cannot be used for rule name";
        }

        if (problem is not null)
        {
            Error(expr.Location, problem);
            return null;
        }

        return rule;
    }

    private Rule? RuleFromEquality(Term lhs, Term rhs, bool assign, SourceLocation loc, out string? problem)
    {
        problem = null;
        var flags = new RuleFlags(false, false, true, false);
        switch (lhs)
        {
            case Call { Operator: var op } c when op.Head is Var:
            {
                var head = new RuleHead(op, c.Args, null, rhs, assign, false, loc);
                return NewRule(head, TrueBody(rhs.Location), null, false, loc, flags);
            }

            case Ref { Head: Var } r:
            {
                var key = r.Path.Count == 1 ? r.Path[0] : null;
                var head = new RuleHead(r, null, key, rhs, assign, false, loc);
                return NewRule(head, TrueBody(rhs.Location), null, false, loc, flags);
            }

            case Ref r:
                problem = $"invalid rule head: {r}";
                return null;
            case Var v:
            {
                var head = new RuleHead(new Ref(v, [], v.Location), null, null, rhs, assign, false, loc);
                return NewRule(head, TrueBody(rhs.Location), null, false, loc, flags);
            }

            default:
                problem = $"{ValueName(lhs)} cannot be used for rule name";
                return null;
        }
    }

    private Rule? RuleFromCall(Call call, SourceLocation loc, out string? problem)
    {
        problem = null;
        var name = call.Name;
        if (name is null || AstPrinterOperators.Contains(name) || name.StartsWith("internal.", StringComparison.Ordinal) || BuiltinTable.Default.Contains(name))
        {
            problem = "rule name conflicts with built-in function";
            return null;
        }

        if (call.Args.Count == 0)
        {
            problem = "rule argument list must take at least one argument";
            return null;
        }

        if (call.Operator.Head is not Var)
        {
            problem = $"invalid rule head: {call.Operator}";
            return null;
        }

        var head = new RuleHead(call.Operator, call.Args, null, null, false, false, loc);
        return NewRule(head, TrueBody(loc), null, false, loc, new RuleFlags(false, false, true, false));
    }

    private static readonly HashSet<string> AstPrinterOperators = new(StringComparer.Ordinal)
    {
        "eq", "assign", "equal", "neq", "lt", "lte", "gt", "gte", "plus", "minus", "mul", "div", "rem", "and", "or",
    };

    private Rule? RuleFromRefTerm(Ref r, SourceLocation loc, out string? problem)
    {
        problem = null;
        if (r.Head is not Var v)
        {
            problem = $"invalid rule head: {r}";
            return null;
        }

        if (r.Path.Count >= 2)
        {
            // `a.b.c` alone: a complete rule with value true (and no body): v1 rejects it.
            var head = new RuleHead(r, null, null, null, false, false, loc);
            return NewRule(head, TrueBody(loc), null, false, loc, new RuleFlags(false, false, true, true));
        }

        if (r.Path.Count == 0)
        {
            problem = "refs cannot be used for rule head";
            return null;
        }

        // `p[x]` alone: a v0 partial set rule.
        var setHead = new RuleHead(new Ref(v, [], v.Location), null, r.Path[0], null, false, true, loc);
        return NewRule(setHead, TrueBody(loc), null, false, loc, new RuleFlags(false, false, true, false));
    }

    // ---------------------------------------------------------------- Rego v1 checks

    private void CheckRegoV1(Rule rule, List<PolicyError> errors)
    {
        var flags = _ruleFlags.TryGetValue(rule, out var f) ? f : new RuleFlags(true, true, false, false);
        var kind = rule.Head.Args is not null ? "function" : "rule";
        if (flags.BodyGenerated && flags.ValueGenerated)
        {
            errors.Add(new PolicyError(PolicyErrorCodes.ParseError, $"{kind} must have value assignment and/or body declaration", rule.Location));
        }

        if (!flags.BodyGenerated && !flags.HasIf && !rule.IsDefault)
        {
            errors.Add(new PolicyError(PolicyErrorCodes.ParseError, $"`if` keyword is required before {kind} body", rule.Location));
        }

        if (rule.Head.IsMultiValue && !flags.HasContains)
        {
            errors.Add(new PolicyError(PolicyErrorCodes.ParseError, "`contains` keyword is required for partial set rules", rule.Location));
        }
    }

    // ---------------------------------------------------------------- queries and single terms

    /// <summary>Parses a query: expressions separated by <c>;</c> or newlines, to the end of the text.</summary>
    public Body? ParseQuery()
    {
        return Guard(() =>
        {
            if (Tok == TokenKind.Eof)
            {
                Error(CurLoc, "empty query");
                return null;
            }

            var loc = CurLoc;
            var exprs = new List<Expr>();
            while (Tok != TokenKind.Eof)
            {
                var body = ParseQueryBody(requireSemi: true, TokenKind.Eof);
                if (body is null)
                {
                    return null;
                }

                foreach (var e in body.Exprs)
                {
                    exprs.Add(exprs.Count == e.Index ? e : new Expr(exprs.Count, e.Negated, e.Terms, e.With, e.Location));
                }
            }

            return new Body(exprs, loc);
        });
    }

    /// <summary>Parses exactly one term (no operator call at the top, as OPA's ParseTerm).</summary>
    public Term? ParseSingleTerm()
    {
        var body = ParseQuery();
        if (body is null)
        {
            return null;
        }

        if (body.Count != 1)
        {
            Error(body[1].Location, "expected exactly one term");
            return null;
        }

        var expr = body[0];
        if (expr.AsTerm is not { } term || expr.Negated || expr.With.Count > 0)
        {
            Error(expr.Location, $"expected term but got {expr.Terms}");
            return null;
        }

        return term;
    }
}
