using System.Globalization;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Parsing;

internal sealed partial class Parser
{
    /// <summary>A term with infix operators, including <c>x in xs</c> and <c>k, v in xs</c>.</summary>
    private Term? ParseTermInfixCall() => ParseTermIn(keyVal: true);

    /// <summary>Inside collections the comma separates elements, so <c>k, v in xs</c> is not recognised.</summary>
    private Term? ParseTermInfixCallInList() => ParseTermIn(keyVal: false);

    private Term? ParseTermIn(bool keyVal)
    {
        Probe();
        var chain = 0;
        try
        {
            var lhs = ParseBinary(1);
            if (lhs is null)
            {
                return null;
            }

            while (true)
            {
                if (keyVal && Tok == TokenKind.Comma)
                {
                    var s = Save();
                    Next();
                    var mhs = ParseBinary(1);
                    if (mhs is not null && Tok == TokenKind.In)
                    {
                        var opLoc = CurLoc;
                        Next();
                        var rhs3 = ParseBinary(1);
                        if (rhs3 is not null)
                        {
                            chain++;
                            Enter();
                            lhs = new Call(OpRef("internal.member_3", opLoc), [lhs, mhs, rhs3], lhs.Location);
                            if (Tok == TokenKind.In)
                            {
                                continue;
                            }

                            return lhs;
                        }
                    }

                    Restore(s);
                }

                if (Tok != TokenKind.In)
                {
                    return lhs;
                }

                chain++;
                Enter();
                var inLoc = CurLoc;
                Next();
                var rhs = ParseBinary(1);
                if (rhs is null)
                {
                    return null;
                }

                lhs = new Call(OpRef("internal.member_2", inLoc), [lhs, rhs], lhs.Location);
                if (Tok != TokenKind.In)
                {
                    return lhs;
                }
            }
        }
        finally
        {
            _depth -= chain;
        }
    }

    /// <summary>Binding power of binary operators, as in OPA: relations &lt; <c>|</c> &lt; <c>&amp;</c> &lt; <c>+ -</c> &lt; <c>* / %</c>.</summary>
    private static int Precedence(TokenKind kind) => kind switch
    {
        TokenKind.Equal or TokenKind.Neq or TokenKind.Lt or TokenKind.Lte or TokenKind.Gt or TokenKind.Gte => 1,
        TokenKind.Or => 2,
        TokenKind.And => 3,
        TokenKind.Add or TokenKind.Sub => 4,
        TokenKind.Mul or TokenKind.Quo or TokenKind.Rem => 5,
        _ => 0,
    };

    /// <summary>Precedence climbing; all binary operators are left-associative.</summary>
    private Term? ParseBinary(int minPrecedence)
    {
        Probe();
        var chain = 0;
        try
        {
            var lhs = ParseTerm();
            if (lhs is null)
            {
                return null;
            }

            while (true)
            {
                var op = Tok;
                var prec = Precedence(op);
                if (prec == 0 || prec < minPrecedence)
                {
                    return lhs;
                }

                // Each link of a left-associative chain nests the AST one level deeper: count it as nesting.
                chain++;
                Enter();
                var opLoc = CurLoc;
                Next();
                var rhs = ParseBinary(prec + 1);
                if (rhs is null)
                {
                    return null;
                }

                lhs = new Call(OpRef(TokenKinds.Describe(op), opLoc), [lhs, rhs], lhs.Location);
            }
        }
        finally
        {
            _depth -= chain;
        }
    }

    /// <summary>One term with its ref/call suffixes. Results are memoised by position so backtracking stays linear.</summary>
    private Term? ParseTerm()
    {
        Enter();
        try
        {
            var start = _pos;
            if (_termCache.TryGetValue(start, out var cached))
            {
                _pos = cached.After.Pos;
                _wildcard = cached.After.Wildcard;
                _errors.AddRange(cached.Errors);
                return cached.Term;
            }

            var errorsBefore = _errors.Count;
            var term = ParseTermUncached();

            // Only terms spanning several tokens are worth remembering; re-reading a name or scalar is cheaper.
            if (_pos - start > 2)
            {
                var errs = _errors.Count > errorsBefore ? _errors.GetRange(errorsBefore, _errors.Count - errorsBefore).ToArray() : [];
                _termCache[start] = new CachedTerm(term, Save(), errs);
            }

            return term;
        }
        finally
        {
            Leave();
        }
    }

    private Term? ParseTermUncached()
    {
        var tok = Cur;
        var loc = Loc(tok);
        Term? term;
        switch (tok.Kind)
        {
            case TokenKind.Null:
                Next();
                term = new Scalar(Value.Null, loc);
                break;
            case TokenKind.True:
                Next();
                term = new Scalar(Value.True, loc);
                break;
            case TokenKind.False:
                Next();
                term = new Scalar(Value.False, loc);
                break;
            case TokenKind.Sub or TokenKind.Dot or TokenKind.Number:
                term = ParseNumber();
                break;
            case TokenKind.String or TokenKind.RawString:
                term = ParseString();
                break;
            case TokenKind.TemplatePart or TokenKind.TemplateEnd:
                term = ParseTemplateString();
                break;
            case TokenKind.Ident or TokenKind.Contains:
                // `contains` is only a keyword in rule heads; elsewhere it names the builtin.
                term = ParseVar();
                break;
            case TokenKind.LBrack:
                term = ParseArray();
                break;
            case TokenKind.LBrace:
                term = ParseSetOrObject();
                break;
            case TokenKind.LParen:
                Next();
                term = ParseTermInfixCall();
                if (term is not null)
                {
                    if (Tok == TokenKind.RParen)
                    {
                        Next();
                    }
                    else
                    {
                        Error(CurLoc, "non-terminated expression");
                        term = null;
                    }
                }

                break;
            default:
                Illegal();
                return null;
        }

        return term is null ? null : ParseTermFinish(term);
    }

    /// <summary>Applies <c>.x</c>, <c>[x]</c> and <c>(args)</c> suffixes written directly after a term; wraps <c>input</c>/<c>data</c> as refs.</summary>
    private Term? ParseTermFinish(Term head)
    {
        if (!Cur.SpaceBefore && Tok is TokenKind.Dot or TokenKind.LBrack or TokenKind.LParen)
        {
            return ParseRef(head, allowSpaceBeforeFirst: false);
        }

        return head is Var { Name: "input" or "data" } ? new Ref(head, [], head.Location) : head;
    }

    private Term? ParseRef(Term head, bool allowSpaceBeforeFirst)
    {
        Probe();
        if (head is not (Var or ArrayTerm or ObjectTerm or SetTerm or ArrayComprehension or SetComprehension or ObjectComprehension or Call))
        {
            Error(head.Location, $"illegal ref (head cannot be {ValueName(head)})");
            return null;
        }

        var path = new List<Term>();
        var first = true;
        while (true)
        {
            if (Cur.SpaceBefore && !(first && allowSpaceBeforeFirst))
            {
                return new Ref(head, path, head.Location);
            }

            first = false;
            switch (Tok)
            {
                case TokenKind.Dot:
                    Next();
                    if (Cur.SpaceBefore || !(Tok == TokenKind.Ident || TokenKinds.IsKeyword(Tok)))
                    {
                        Illegal("expected ident");
                        return null;
                    }

                    path.Add(new Scalar(StringValue.Create(TextOf(Cur)), CurLoc));
                    Next();
                    break;
                case TokenKind.LParen:
                {
                    var call = ParseCall(new Ref(head, path, head.Location));
                    if (call is null)
                    {
                        return null;
                    }

                    if (!Cur.SpaceBefore && Tok is TokenKind.Dot or TokenKind.LBrack)
                    {
                        // f(x).y nests the call inside a new ref: one more level of AST depth.
                        Enter();
                        try
                        {
                            return ParseRef(call, allowSpaceBeforeFirst: false);
                        }
                        finally
                        {
                            Leave();
                        }
                    }

                    return call;
                }

                case TokenKind.LBrack:
                {
                    Next();
                    var t = ParseTermInfixCall();
                    if (t is null)
                    {
                        return null;
                    }

                    if (Tok != TokenKind.RBrack)
                    {
                        Illegal("expected ]");
                        return null;
                    }

                    path.Add(t);
                    Next();
                    break;
                }

                default:
                    return new Ref(head, path, head.Location);
            }
        }
    }

    /// <summary>At <c>(</c>: parses the arguments of a call to <paramref name="op"/>; <c>set()</c> is the empty set.</summary>
    private Term? ParseCall(Ref op)
    {
        Next();
        if (Tok == TokenKind.RParen)
        {
            Next();
            if (op is { Head: Var { Name: "set" }, Path.Count: 0 })
            {
                return new SetTerm([], op.Location);
            }

            return new Call(op, [], op.Location);
        }

        return ParseTermListAndClose(TokenKind.RParen, []) is { } args ? new Call(op, args, op.Location) : null;
    }

    private Var ParseVar()
    {
        var tok = Cur;
        Next();
        var loc = Loc(tok);
        var span = Span(tok);
        return span is "_" ? NewWildcard(loc) : new Var(span.ToString(), loc);
    }

    private Term? ParseNumber()
    {
        var loc = CurLoc;
        var prefix = "";
        if (Tok == TokenKind.Sub)
        {
            prefix = "-";
            Next();
            if (Tok is not (TokenKind.Number or TokenKind.Dot))
            {
                Illegal("expected number");
                return null;
            }
        }

        if (Tok == TokenKind.Dot)
        {
            prefix += ".";
            Next();
            if (Tok != TokenKind.Number || Cur.SpaceBefore)
            {
                Illegal("expected number");
                return null;
            }
        }

        var lit = Span(Cur);
        if (!prefix.EndsWith('.') && lit.Length > 1 && lit[0] == '0' && lit[1] != '.' && !(lit.Length > 2 && lit[1] is 'e' or 'E'))
        {
            Illegal("expected number without leading zero");
            return null;
        }

        // ".5" / "-.5" are valid Rego but not JSON: keep the literal in its canonical "0.5" form.
        var text = (prefix.EndsWith('.') ? prefix[..^1] + "0." : prefix) + lit.ToString();
        if (ExceedsNumberLimit(text))
        {
            Error(CurLoc, "number too big");
            return null;
        }

        var value = NumberValue.Parse(text);
        if (value is null)
        {
            Illegal("invalid float");
            return null;
        }

        Next();
        return new Scalar(value, loc);
    }

    /// <summary>OPA refuses numbers whose binary exponent exceeds 1e5 (about 30,000 decimal digits) to bound formatting cost.</summary>
    private static bool ExceedsNumberLimit(string text)
    {
        var e = text.AsSpan().IndexOfAny('e', 'E');
        var mantissa = e < 0 ? text.AsSpan() : text.AsSpan(0, e);
        var intDigits = mantissa.IndexOf('.');
        var magnitude = intDigits < 0 ? mantissa.Length : intDigits;
        long exponent = 0;
        if (e >= 0 && !long.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return true;
        }

        var total = magnitude + exponent;
        return total > 30_000 || total < -30_000;
    }

    private Term? ParseString()
    {
        var tok = Cur;
        var loc = Loc(tok);
        Next();
        var inner = _text.AsSpan(tok.Start + 1, tok.End - tok.Start - 2);
        if (tok.Kind == TokenKind.RawString)
        {
            return new Scalar(StringValue.Create(inner.ToString()), loc);
        }

        if (!StringDecoder.TryDecode(inner, allowBraceEscape: false, out var decoded))
        {
            Error(loc, $"illegal string literal: {TextOf(tok)}");
            return null;
        }

        return new Scalar(StringValue.Create(decoded), loc);
    }

    /// <summary>
    /// <c>$"text {expr} text"</c> / <c>$`...`</c>. The lexer splits the string into parts at each hole; the tokens of the
    /// expression come between two parts. Literal parts become string scalars; holes become expressions (plain scalars stay terms).
    /// </summary>
    private Term? ParseTemplateString()
    {
        var startTok = Cur;
        var loc = Loc(startTok);
        var raw = _text[startTok.Start + 1] == '`';
        var parts = new List<Node>();
        while (true)
        {
            var tok = Cur;
            var skipStart = _text[tok.Start] == '$' ? 2 : 1;
            var inner = _text.AsSpan(tok.Start + skipStart, tok.End - tok.Start - skipStart - 1);
            string literal;
            if (raw)
            {
                literal = inner.Contains('\\') ? inner.ToString().Replace("\\{", "{", StringComparison.Ordinal).Replace("\\}", "}", StringComparison.Ordinal) : inner.ToString();
            }
            else if (!StringDecoder.TryDecode(inner, allowBraceEscape: true, out literal))
            {
                Error(Loc(tok), $"illegal template-string part: {TextOf(tok)}");
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Scalar(StringValue.Create(literal), Loc(tok)));
            }

            if (tok.Kind == TokenKind.TemplateEnd)
            {
                Next();
                break;
            }

            Next();
            var expr = ParseLiteral(0);
            if (expr is null)
            {
                return null;
            }

            if (!CheckTemplateExpression(expr))
            {
                return null;
            }

            parts.Add(expr.Terms is Scalar scalar && expr.With.Count == 0 ? scalar : expr);

            if (Tok == TokenKind.Illegal)
            {
                Illegal();
                return null;
            }

            if (Tok is not (TokenKind.TemplatePart or TokenKind.TemplateEnd) || _text[Cur.Start] != '}')
            {
                Error(CurLoc, "expected } to end template string expression");
                return null;
            }
        }

        return new TemplateString(parts, raw, loc);
    }

    private bool CheckTemplateExpression(Expr expr)
    {
        string? problem = null;
        if (expr.Negated)
        {
            problem = "unexpected negation ('not') in template-string expression";
        }
        else if (expr.Terms is Call { Name: "eq" })
        {
            problem = "unexpected unification ('=') in template-string expression";
        }
        else if (expr.Terms is Call { Name: "assign" })
        {
            problem = "unexpected assignment (':=') in template-string expression";
        }
        else if (expr.Terms is Every)
        {
            problem = "unexpected 'every' in template-string expression";
        }
        else if (expr.Terms is SomeDecl)
        {
            problem = "unexpected 'some' in template-string expression";
        }

        if (problem is not null)
        {
            Error(expr.Location, problem);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Consumes an opening bracket or brace; true, with <paramref name="close"/> consumed too, for an empty collection.
    /// A leading comma is skipped and rules out a comprehension.
    /// </summary>
    private bool OpenCollection(TokenKind close, out SourceLocation loc, out bool potentialComprehension)
    {
        Probe();
        loc = CurLoc;
        Next();
        potentialComprehension = true;
        if (Tok == close)
        {
            Next();
            return true;
        }

        if (Tok == TokenKind.Comma)
        {
            potentialComprehension = false;
            Next();
        }

        return false;
    }

    private Term? ParseArray()
    {
        if (OpenCollection(TokenKind.RBrack, out var loc, out var potentialComprehension))
        {
            return new ArrayTerm([], loc);
        }

        var s = Save();

        // A plain term first: `[x | body]` is a comprehension rather than an array holding `x | body`.
        var head = ParseTerm();
        if (head is null)
        {
            return null;
        }

        switch (Tok)
        {
            case TokenKind.RBrack:
                Next();
                return new ArrayTerm([head], loc);
            case TokenKind.Comma:
                Next();
                return ParseTermListAndClose(TokenKind.RBrack, [head]) is { } terms ? new ArrayTerm(terms, loc) : null;

            case TokenKind.Or when potentialComprehension:
            {
                Next();
                var body = ParseBody(TokenKind.RBrack);
                if (body is not null)
                {
                    Next();
                    return new ArrayComprehension(head, body, loc);
                }

                if (Tok != TokenKind.Comma)
                {
                    return null;
                }

                break;
            }
        }

        Restore(s);
        return ParseTermListAndClose(TokenKind.RBrack, []) is { } items ? new ArrayTerm(items, loc) : null;
    }

    private Term? ParseSetOrObject()
    {
        if (OpenCollection(TokenKind.RBrace, out var loc, out var potentialComprehension))
        {
            return new ObjectTerm([], loc);
        }

        var s = Save();
        var head = ParseTerm();
        if (head is null)
        {
            return null;
        }

        switch (Tok)
        {
            case TokenKind.Or when potentialComprehension:
                return ParseSet(s, head, potentialComprehension: true, loc);
            case TokenKind.RBrace or TokenKind.Comma:
                return ParseSet(s, head, potentialComprehension, loc);
            case TokenKind.Colon:
                return ParseObject(head, potentialComprehension, loc);
        }

        Restore(s);
        head = ParseTermInfixCallInList();
        if (head is null)
        {
            return null;
        }

        switch (Tok)
        {
            case TokenKind.RBrace or TokenKind.Comma:
                return ParseSet(s, head, potentialComprehension: false, loc);
            case TokenKind.Colon:
                return ParseObject(head, potentialComprehension, loc);
        }

        Illegal("non-terminated set");
        return null;
    }

    private Term? ParseSet(State s, Term head, bool potentialComprehension, SourceLocation loc)
    {
        switch (Tok)
        {
            case TokenKind.RBrace:
                Next();
                return new SetTerm([head], loc);
            case TokenKind.Comma:
                Next();
                return ParseTermListAndClose(TokenKind.RBrace, [head]) is { } terms ? new SetTerm(terms, loc) : null;

            case TokenKind.Or:
            {
                if (potentialComprehension)
                {
                    Next();
                    var body = ParseBody(TokenKind.RBrace);
                    if (body is not null)
                    {
                        Next();
                        return new SetComprehension(head, body, loc);
                    }

                    if (Tok != TokenKind.Comma)
                    {
                        return null;
                    }
                }

                Restore(s);
                return ParseTermListAndClose(TokenKind.RBrace, []) is { } items ? new SetTerm(items, loc) : null;
            }

            default:
                return null;
        }
    }

    /// <summary>At the colon after the first key.</summary>
    private Term? ParseObject(Term key, bool potentialComprehension, SourceLocation loc)
    {
        Next();
        var s = Save();
        var value = ParseTerm();
        if (value is null)
        {
            return null;
        }

        var potentialRelation = true;
        if (potentialComprehension && Tok is TokenKind.RBrace or TokenKind.Comma or TokenKind.Or)
        {
            potentialRelation = Tok == TokenKind.Or;
            var term = ParseObjectFinish(key, value, potentialComprehension: true, loc);
            if (term is not null)
            {
                return term;
            }
        }

        Restore(s);
        if (potentialRelation)
        {
            value = ParseTermInfixCallInList();
            if (value is null)
            {
                return null;
            }

            if (Tok is TokenKind.RBrace or TokenKind.Comma)
            {
                return ParseObjectFinish(key, value, potentialComprehension: false, loc);
            }
        }

        Illegal("non-terminated object");
        return null;
    }

    private Term? ParseObjectFinish(Term key, Term value, bool potentialComprehension, SourceLocation loc)
    {
        switch (Tok)
        {
            case TokenKind.RBrace:
                Next();
                return new ObjectTerm([new(key, value)], loc);
            case TokenKind.Or:
                if (potentialComprehension)
                {
                    Next();
                    var body = ParseBody(TokenKind.RBrace);
                    if (body is not null)
                    {
                        Next();
                        return new ObjectComprehension(key, value, body, loc);
                    }
                }
                else
                {
                    Illegal("non-terminated object");
                }

                return null;
            case TokenKind.Comma:
            {
                Next();
                var pairs = ParseTermPairList(TokenKind.RBrace, [new(key, value)]);
                if (pairs is null)
                {
                    return null;
                }

                Next();
                return new ObjectTerm(pairs, loc);
            }

            default:
                return null;
        }
    }

    /// <summary>As <see cref="ParseTermList"/>, then consumes <paramref name="end"/>.</summary>
    private List<Term>? ParseTermListAndClose(TokenKind end, List<Term> items)
    {
        var terms = ParseTermList(end, items);
        if (terms is not null)
        {
            Next();
        }

        return terms;
    }

    /// <summary>Comma-separated terms up to <paramref name="end"/> (left as the current token). A trailing comma is allowed.</summary>
    private List<Term>? ParseTermList(TokenKind end, List<Term> items)
    {
        if (Tok == end)
        {
            return items;
        }

        while (true)
        {
            var term = ParseTermInfixCallInList();
            if (term is null)
            {
                return null;
            }

            items.Add(term);
            if (Tok == end)
            {
                return items;
            }

            if (Tok != TokenKind.Comma)
            {
                Illegal($"expected \",\" or \"{TokenKinds.Describe(end)}\"");
                return null;
            }

            Next();
            if (Tok == end)
            {
                return items;
            }
        }
    }

    private List<KeyValuePair<Term, Term>>? ParseTermPairList(TokenKind end, List<KeyValuePair<Term, Term>> pairs)
    {
        if (Tok == end)
        {
            return pairs;
        }

        while (true)
        {
            var key = ParseTermInfixCallInList();
            if (key is null)
            {
                return null;
            }

            if (Tok != TokenKind.Colon)
            {
                Illegal("expected \":\"");
                return null;
            }

            Next();
            var value = ParseTermInfixCallInList();
            if (value is null)
            {
                return null;
            }

            pairs.Add(new(key, value));
            if (Tok == end)
            {
                return pairs;
            }

            if (Tok != TokenKind.Comma)
            {
                Illegal($"expected \",\" or \"{TokenKinds.Describe(end)}\"");
                return null;
            }

            Next();
            if (Tok == end)
            {
                return pairs;
            }
        }
    }
}
