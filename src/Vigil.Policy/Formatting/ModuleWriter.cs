using System.Runtime.CompilerServices;
using System.Text;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Syntax.Parsing;
using Vigil.Policy.Values;

namespace Vigil.Policy.Formatting;

/// <summary>
/// Prints a parsed module in <c>opa fmt</c>'s canonical style. Literals (strings, raw strings, numbers, template
/// strings) are copied from the source tokens, never re-rendered; comments are re-inserted by source line: a comment
/// is written before the first element that starts on a later line, or at the end of the output line that printed its
/// source line. Layout decisions that depend on the author (multi-line collections, blank lines between statements and
/// expressions, bodies without braces) are read from the token positions.
/// </summary>
internal sealed class ModuleWriter
{
    private const int TopLevel = 0;
    private const int InfixAny = 1;
    private const int AboveIn = 2;
    private const int Atom = 100;

    private static readonly Dictionary<string, (string Symbol, int Precedence)> Infix = new(StringComparer.Ordinal)
    {
        ["equal"] = ("==", 2), ["neq"] = ("!=", 2), ["lt"] = ("<", 2), ["lte"] = ("<=", 2), ["gt"] = (">", 2), ["gte"] = (">=", 2),
        ["or"] = ("|", 3), ["and"] = ("&", 4), ["plus"] = ("+", 5), ["minus"] = ("-", 5),
        ["mul"] = ("*", 6), ["div"] = ("/", 6), ["rem"] = ("%", 6),
    };

    private readonly string _text;
    private readonly Parser _parser;
    private readonly IReadOnlyList<Token> _tokens;
    private readonly IReadOnlyList<Comment> _comments;
    private readonly bool _v1;
    private readonly Dictionary<long, int> _tokenAt = [];
    private readonly bool[] _blank;
    private readonly int[] _match;
    private readonly StringBuilder _out = new();
    private int _indent;
    private bool _lineStart = true;
    private bool _afterOpen;
    private int _lastLine;
    private int _nextComment;

    public ModuleWriter(string text, Parser parser, bool v1)
    {
        _text = text;
        _parser = parser;
        _tokens = parser.Tokens;
        _comments = parser.Comments;
        _v1 = v1;
        for (var i = 0; i < _tokens.Count; i++)
        {
            _tokenAt.TryAdd(Key(_tokens[i].Line, _tokens[i].Column), i);
        }

        _match = MatchBrackets(_tokens);
        var lines = text.Split('\n');
        _blank = new bool[lines.Length + 2];
        for (var i = 0; i < lines.Length; i++)
        {
            _blank[i + 1] = string.IsNullOrWhiteSpace(lines[i]);
        }
    }

    /// <summary>Comment texts of a source, trailing whitespace removed (what the formatter must preserve, in order).</summary>
    public static List<string> CommentTexts(string text, IReadOnlyList<Comment> comments) =>
        comments.Select(c => text[c.Start..c.End].TrimEnd()).ToList();

    /// <summary>
    /// Whether an import is dropped in v1 output: <c>future.keywords...</c> imports when the module also imports
    /// <c>rego.v1</c>, which covers them (as <c>opa fmt</c> does). <c>rego.v1</c> itself and future imports without it stay.
    /// </summary>
    public static bool IsDroppedInV1(Module module, Import import) =>
        import.Path.Head is Var { Name: "future" } && module.Imports.Any(i => i.Path.DottedName == "rego.v1");

    public string Print(Module module)
    {
        StartLine(module.Package.Location.Line, true);
        Write("package ");
        PrintPackagePath(module.Package.Path);

        // Statements in source order (opa fmt keeps imports written after rules where they are): import groups and rules.
        var statements = new List<(SourceLocation Location, object Statement)>();
        statements.AddRange(ImportGroups(module).Select(g => (g[0].Location, (object)g)));
        statements.AddRange(module.Rules.Select(r => (r.Location, (object)r)));
        statements.Sort((x, y) => x.Location.Line != y.Location.Line
            ? x.Location.Line.CompareTo(y.Location.Line)
            : x.Location.Column.CompareTo(y.Location.Column));

        var first = true;
        var (previousRule, previousOneLine, previousBodiless, previousName, previousMulti) = (false, false, false, "", false);
        foreach (var (location, statement) in statements)
        {
            EndLine();
            if (first)
            {
                ForceBlank();
            }

            // As opa fmt: statements are separated by a blank line, except imports of one group, and one-line rules
            // written on adjacent lines that both were written without a body, or define the same name and kind.
            // Blank lines of the source are kept (at most one).
            var separator = _out.Length;
            var blankBefore = _out.Length >= 2 && _out[^1] == '\n' && _out[^2] == '\n';
            StartLine(location.Line, true);
            blankBefore |= _out.Length > separator && _out[separator] == '\n';
            var start = _out.Length;
            var grouped = false;
            if (statement is List<Import> group)
            {
                PrintImports(group);
                previousRule = false;
            }
            else
            {
                var rule = (Rule)statement;
                PrintRule(rule);
                var oneLine = !_out.ToString(start, _out.Length - start).Contains('\n', StringComparison.Ordinal);
                var bodiless = rule.IsDefault || _parser.WrittenAs(rule).BodyGenerated;
                var name = rule.Head.Reference.ToString();
                grouped = previousRule && previousOneLine && oneLine
                    && ((previousBodiless && bodiless) || (previousName == name && previousMulti == rule.Head.IsMultiValue));
                (previousRule, previousOneLine, previousBodiless, previousName, previousMulti) = (true, oneLine, bodiless, name, rule.Head.IsMultiValue);
            }

            if (!first && !blankBefore && !grouped)
            {
                _out.Insert(separator, '\n');
            }

            first = false;
        }

        EndLine();
        while (_nextComment < _comments.Count)
        {
            StartLine(int.MaxValue, true);
        }

        EndLine();
        return _out.ToString();
    }

    // ---------------------------------------------------------------- layout primitives

    private static long Key(int line, int column) => ((long)line << 32) | (uint)column;

    private int TokenIndex(SourceLocation location) =>
        _tokenAt.TryGetValue(Key(location.Line, location.Column), out var i) ? i : -1;

    private string TokenText(int index) => _text[_tokens[index].Start.._tokens[index].End];

    private int EndLineOf(int index)
    {
        var t = _tokens[index];
        var line = t.Line;
        for (var i = t.Start; i < t.End; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    /// <summary>Index of the bracket closing the one at <paramref name="open"/> (or the last token if unbalanced).</summary>
    private int MatchClose(int open) => open >= 0 && open < _match.Length && _match[open] >= 0 ? _match[open] : _tokens.Count - 1;

    /// <summary>Matching closing bracket of every opening bracket, computed once (the printer asks often).</summary>
    private static int[] MatchBrackets(IReadOnlyList<Token> tokens)
    {
        var match = new int[tokens.Count];
        Array.Fill(match, -1);
        var open = new Stack<int>();
        for (var i = 0; i < tokens.Count; i++)
        {
            switch (tokens[i].Kind)
            {
                case TokenKind.LBrace or TokenKind.LBrack or TokenKind.LParen:
                    open.Push(i);
                    break;
                case TokenKind.RBrace or TokenKind.RBrack or TokenKind.RParen when open.Count > 0:
                    match[open.Pop()] = i;
                    break;
            }
        }

        return match;
    }

    private void Mark(int line)
    {
        if (line > _lastLine && line != int.MaxValue)
        {
            _lastLine = line;
        }
    }

    private void Write(string s)
    {
        if (_lineStart)
        {
            _out.Append('\t', _indent);
            _lineStart = false;
        }

        _out.Append(s);
        _afterOpen = false;
    }

    /// <summary>
    /// Ends the current output line, appending the next comment if its source line is already printed. Further such
    /// comments (several source lines joined into one) follow on their own lines from the next <see cref="StartLine"/>.
    /// </summary>
    private void EndLine()
    {
        if (_lineStart)
        {
            return;
        }

        if (_nextComment < _comments.Count && _comments[_nextComment].Line <= _lastLine)
        {
            var c = _comments[_nextComment++];
            _out.Append(' ').Append(_text[c.Start..c.End].TrimEnd());
        }

        _out.Append('\n');
        _lineStart = true;
    }

    /// <summary>Starts an output line for an element at <paramref name="sourceLine"/>: comments before it first, blank lines kept (at most one).</summary>
    private void StartLine(int sourceLine, bool blankAllowed)
    {
        EndLine();
        while (_nextComment < _comments.Count && _comments[_nextComment].Line < sourceLine)
        {
            var c = _comments[_nextComment];
            if (blankAllowed && HasBlankBetween(_lastLine, c.Line))
            {
                BlankLine();
            }

            Write(_text[c.Start..c.End].TrimEnd());
            _nextComment++;
            Mark(c.Line);
            _out.Append('\n');
            _lineStart = true;
        }

        if (blankAllowed && sourceLine != int.MaxValue && HasBlankBetween(_lastLine, sourceLine))
        {
            BlankLine();
        }
    }

    private bool HasBlankBetween(int after, int before)
    {
        for (var line = after + 1; line < before && line < _blank.Length; line++)
        {
            if (_blank[line])
            {
                return true;
            }
        }

        return false;
    }

    private void BlankLine()
    {
        if (_out.Length > 0 && !_afterOpen && !(_out.Length >= 2 && _out[^1] == '\n' && _out[^2] == '\n'))
        {
            _out.Append('\n');
        }
    }

    private void ForceBlank()
    {
        var saved = _afterOpen;
        _afterOpen = false;
        BlankLine();
        _afterOpen = saved;
    }

    private void Open(string s)
    {
        Write(s);
        _afterOpen = true;
        _indent++;
    }

    /// <summary>Writes the closing bracket of a multi-line construct on its own line (comments before it stay inside).</summary>
    private void Close(string s, int closeIndex)
    {
        var line = _tokens[closeIndex].Line;
        StartLine(line, false);
        _indent--;
        Write(s);
        Mark(line);
    }

    // ---------------------------------------------------------------- statements

    /// <summary>
    /// Imports on adjacent lines with no rule between them form a group, sorted (as opa fmt does) unless a comment sits
    /// among the group's lines: it belongs to one of them. Imports dropped in v1 output still hold their group together.
    /// </summary>
    private List<List<Import>> ImportGroups(Module module)
    {
        var ruleLines = module.Rules.Select(r => r.Location.Line).ToHashSet();
        var groups = new List<List<Import>>();
        var lastLine = -1;
        foreach (var import in module.Imports.OrderBy(i => i.Location.Line))
        {
            var line = import.Location.Line;
            if (groups.Count == 0 || lastLine + 1 != line || ruleLines.Contains(line))
            {
                groups.Add([]);
            }

            groups[^1].Add(import);
            lastLine = line;
        }

        var result = new List<List<Import>>();
        foreach (var group in groups)
        {
            var firstLine = group[0].Location.Line;
            var last = group[^1].Location.Line;
            var kept = _v1 ? group.Where(i => !IsDroppedInV1(module, i)).ToList() : group;
            if (kept.Count == 0)
            {
                continue;
            }

            if (!_comments.Any(c => c.Line >= firstLine && c.Line <= last))
            {
                kept.Sort((a, b) => string.CompareOrdinal(ImportKey(a), ImportKey(b)));
            }

            result.Add(kept);
        }

        return result;
    }

    private void PrintImports(List<Import> group)
    {
        for (var i = 0; i < group.Count; i++)
        {
            if (i > 0)
            {
                StartLine(group[i].Location.Line, false);
            }

            Write("import ");
            PrintRef(group[i].Path);
            if (group[i].Alias is not null)
            {
                Write(" as ");
                Write(group[i].Alias!);
            }

            Mark(group[i].Location.Line);
        }
    }

    private static string ImportKey(Import i) => i.Path + " as " + (i.Alias ?? "");

    private void PrintPackagePath(Ref path)
    {
        for (var i = 0; i < path.Path.Count; i++)
        {
            var p = path.Path[i];
            Mark(p.Location.Line);
            // As written: `package a["b-c"]` and `package test["if"]` keep their brackets, `a.b` its dots.
            if (p is Scalar { Value: StringValue s } && AstPrinter.IsIdentifier(s.Value) && (i == 0 || !IsBracketed(p)))
            {
                Write(i == 0 ? s.Value : "." + s.Value);
            }
            else
            {
                Write("[");
                PrintTerm(p, InfixAny);
                Write("]");
            }
        }
    }

    private void PrintRule(Rule rule)
    {
        var (hasIf, hasContains, bodyGenerated) = _parser.WrittenAs(rule);

        // v1, as opa fmt: a body that is only `true` is dropped (`p if true` is `p := true`, `q[1] := y if true` is
        // `q[1] := y`). Not for `p[x]` with a variable key, which needs a body to bind it.
        var key = rule.Head.Reference.Path.Count == 1 && rule.Head.Args is null ? rule.Head.Reference.Path[0] : null;
        var trueBody = _v1 && rule.Else is null && rule.Body.Count == 1 && (key is null || (key is not Ref && Parser.IsGround(key)))
            && rule.Body[0] is { Negated: false, With.Count: 0, Terms: Scalar { Value: BooleanValue { Value: true } } };
        if (rule.IsDefault)
        {
            Write("default ");
        }

        PrintHead(rule.Head, hasContains, explicitTrue: trueBody && !bodyGenerated);
        if (rule.IsDefault || bodyGenerated || trueBody)
        {
            return;
        }

        var braced = PrintRuleBody(rule.Body, _v1 || hasIf);
        for (var e = rule.Else; e is not null; e = e.Else)
        {
            var (elseIf, _, elseBodyGenerated) = _parser.WrittenAs(e);
            if (!braced || e.Location.Line > _lastLine || (_nextComment < _comments.Count && _comments[_nextComment].Line < e.Location.Line))
            {
                // After a one-line body, or where the author put it on its own line (or comments between `}` and
                // `else`), `else` starts its own line, as opa fmt keeps it.
                StartLine(e.Location.Line, true);
                Write("else");
            }
            else
            {
                Write(" else");
            }

            Mark(e.Location.Line);
            if (e.Head.Value is not null)
            {
                Write(e.Head.Assign || _v1 ? " := " : " = ");
                PrintTerm(e.Head.Value, InfixAny);
            }

            if (!elseBodyGenerated)
            {
                braced = PrintRuleBody(e.Body, _v1 || elseIf);
            }
        }
    }

    private void PrintHead(RuleHead head, bool hasContains, bool explicitTrue)
    {
        var useContains = head.IsMultiValue && (_v1 || hasContains || head.Reference.Path.Count > 0);
        PrintRef(head.Reference);
        if (head.IsMultiValue && !useContains)
        {
            Write("[");
            PrintTerm(head.Key!, InfixAny);
            Write("]");
        }

        if (head.Args is not null)
        {
            PrintArguments(FindOpenParen(TokenIndex(head.Reference.Location)), head.Args);
        }

        if (useContains)
        {
            Write(" contains ");
            PrintTerm(head.Key!, InfixAny);
        }

        // v1, as opa fmt: rule values are always assigned with `:=` (the compiler treats `=` and `:=` alike in heads).
        if (head.Value is not null)
        {
            Write(head.Assign || _v1 ? " := " : " = ");
            PrintTerm(head.Value, InfixAny);
        }
        else if (explicitTrue && !head.IsMultiValue)
        {
            Write(" := true");
        }
    }

    /// <summary>Prints <c>if</c> and the body; returns false when it was printed on one line without braces.</summary>
    private bool PrintRuleBody(Body body, bool useIf)
    {
        if (useIf)
        {
            Write(" if");
        }

        var first = TokenIndex(body[0].Location);
        var braceless = first > 0 && _tokens[first - 1].Kind == TokenKind.If;
        var oneLine = braceless || (first > 0 && _tokens[first - 1].Kind == TokenKind.LBrace
            && _tokens[MatchClose(first - 1)].Line == _tokens[first - 1].Line);

        // `p if { x }` written on one line becomes `p if x`, as opa fmt does; not when the expression would start
        // with `{` (that reads as a body again) or spans lines itself.
        if (useIf && oneLine && body.Count == 1 && !StartsWithBrace(body[0]) && !(body[0].Terms is Every ev && !IsOneLineEvery(ev)))
        {
            Write(" ");
            PrintExpr(body[0]);
            return false;
        }

        Write(" ");
        PrintBlock(body, braceless ? -1 : first - 1);
        return true;
    }

    /// <summary>An <c>every</c> whose body is written on one line (braces included): kept on one line, as opa fmt does.</summary>
    private bool IsOneLineEvery(Every ev)
    {
        var first = TokenIndex(ev.Body[0].Location);
        return first > 0 && _tokens[first - 1].Kind == TokenKind.LBrace
            && _tokens[MatchClose(first - 1)].Line == _tokens[first - 1].Line && ev.Body.Exprs.All(e => e.Terms is not Every);
    }

    /// <summary>
    /// <c>p if {1}</c> would read as a body again: an expression that is a non-empty set (or an empty object) cannot be
    /// written without braces. Anything else the parser reads back the same (and the AST check would catch it).
    /// </summary>
    private static bool StartsWithBrace(Expr expr) =>
        !expr.Negated && expr.Terms is SetTerm { Items.Count: > 0 } or ObjectTerm { Pairs.Count: 0 };

    /// <summary>Writes <c>{</c>, one expression per line, and <c>}</c>. <paramref name="openIndex"/> is the source <c>{</c> (or -1).</summary>
    private void PrintBlock(Body body, int openIndex)
    {
        Open("{");
        for (var i = 0; i < body.Count; i++)
        {
            StartLine(body[i].Location.Line, true);
            PrintExpr(body[i]);
        }

        if (openIndex >= 0 && _tokens[openIndex].Kind == TokenKind.LBrace)
        {
            Close("}", MatchClose(openIndex));
        }
        else
        {
            EndLine();
            _indent--;
            Write("}");
        }
    }

    private void PrintExpr(Expr expr)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        Mark(expr.Location.Line);
        if (expr.Negated)
        {
            Write("not ");
        }

        switch (expr.Terms)
        {
            case SomeDecl s when s.IsIn:
                Write("some ");
                PrintMembership(s.Key, s.Value!, s.Domain!);
                break;
            case SomeDecl s:
                Write("some ");
                PrintSomeVars(s.Vars);
                break;
            case Every ev:
                Write("every ");
                PrintMembership(ev.Key, ev.Value, ev.Domain);
                Write(" ");
                var first = TokenIndex(ev.Body[0].Location);
                if (IsOneLineEvery(ev))
                {
                    // Written on one line: kept on one line, expressions joined with "; ", as opa fmt does (which
                    // leaves the space before the closing brace out when there are several: `{ a; b}`).
                    Write("{ ");
                    for (var i = 0; i < ev.Body.Count; i++)
                    {
                        if (i > 0)
                        {
                            Write("; ");
                        }

                        PrintExpr(ev.Body[i]);
                    }

                    Write(ev.Body.Count == 1 ? " }" : "}");
                }
                else
                {
                    PrintBlock(ev.Body, first - 1);
                }

                break;
            case Call { Name: "eq" or "assign" } c when c.Args.Count == 2:
                PrintTerm(c.Args[0], InfixAny);
                Write(c.Name == "eq" ? " = " : " := ");
                PrintTerm(c.Args[1], InfixAny);
                break;
            case Call { Name: "internal.member_3" } c when c.Args.Count == 3:
                PrintMembership(c.Args[0], c.Args[1], c.Args[2]);
                break;
            case Term t:
                PrintTerm(t, InfixAny);
                break;
        }

        foreach (var w in expr.With)
        {
            Write(" with ");
            PrintRef(w.Target);
            Write(" as ");
            PrintTerm(w.Value, InfixAny);
        }
    }

    /// <summary><c>some a, b</c>; where the author broke the list over lines, the continuation lines are indented once more (as opa fmt).</summary>
    private void PrintSomeVars(IReadOnlyList<Var> vars)
    {
        var indented = false;
        for (var i = 0; i < vars.Count; i++)
        {
            if (i > 0)
            {
                Write(",");
                if (vars[i].Location.Line > vars[i - 1].Location.Line)
                {
                    if (!indented)
                    {
                        _indent++;
                        indented = true;
                    }

                    StartLine(vars[i].Location.Line, false);
                }
                else
                {
                    Write(" ");
                }
            }

            PrintTerm(vars[i], InfixAny);
        }

        if (indented)
        {
            _indent--;
        }
    }

    private void PrintMembership(Term? key, Term value, Term domain)
    {
        if (key is not null)
        {
            PrintTerm(key, AboveIn);
            Write(", ");
        }

        PrintTerm(value, key is null ? InfixAny : AboveIn);
        Write(" in ");
        PrintTerm(domain, AboveIn);
    }

    // ---------------------------------------------------------------- terms

    private static int PrecedenceOf(Term t) => t switch
    {
        Call { Name: "internal.member_2" } c when c.Args.Count == 2 => 1,
        Call { Name: "internal.member_3" } c when c.Args.Count == 3 => TopLevel,
        Call { Name: { } n } c when c.Args.Count == 2 && Infix.TryGetValue(n, out var op) => op.Precedence,
        _ => Atom,
    };

    private void PrintTerm(Term term, int minPrecedence, bool parenthesize = false)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var precedence = PrecedenceOf(term);
        if (precedence < minPrecedence || (precedence != Atom && (parenthesize || WrittenInParentheses(term))))
        {
            Write("(");
            PrintTermInner(term);
            Write(")");
        }
        else
        {
            PrintTermInner(term);
        }
    }

    /// <summary>
    /// Whether an operator expression was written in (redundant) parentheses, which opa fmt keeps: the tokens just
    /// around it are a matching <c>(</c> <c>)</c> pair that is not a call's argument list.
    /// </summary>
    private bool WrittenInParentheses(Term term)
    {
        var first = FirstToken(term);
        var last = LastToken(term);
        if (first <= 0 || last < 0 || last + 1 >= _tokens.Count)
        {
            return false;
        }

        var open = _tokens[first - 1];
        if (open.Kind != TokenKind.LParen || _tokens[last + 1].Kind != TokenKind.RParen || MatchClose(first - 1) != last + 1)
        {
            return false;
        }

        // `f(a + b)`: the parentheses of a call follow its name directly.
        return first - 2 < 0 || open.SpaceBefore
            || _tokens[first - 2].Kind is not (TokenKind.Ident or TokenKind.RBrack or TokenKind.RParen or TokenKind.String);
    }

    private int FirstToken(Term term)
    {
        while (true)
        {
            switch (term)
            {
                case Call c when PrecedenceOf(c) != Atom:
                    term = c.Args[0];
                    break;
                case Ref r:
                    term = r.Head;
                    break;
                default:
                    return TokenIndex(term.Location);
            }
        }
    }

    /// <summary>Index of the last source token of a term (-1 when unknown).</summary>
    private int LastToken(Term term)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var at = TokenIndex(term.Location);
        switch (term)
        {
            case Call c when PrecedenceOf(c) != Atom:
                return LastToken(c.Args[^1]);
            case Call c:
                var open = FindOpenParen(TokenIndex(c.Operator.Location));
                return open < 0 ? -1 : MatchClose(open);
            case Ref r when r.Path.Count == 0:
                return LastToken(r.Head);
            case Ref r:
                var p = r.Path[^1];
                var pi = TokenIndex(p.Location);
                if (pi > 0 && _tokens[pi - 1].Kind == TokenKind.Dot)
                {
                    return pi;
                }

                return pi > 0 && _tokens[pi - 1].Kind == TokenKind.LBrack ? MatchClose(pi - 1) : -1;
            case Scalar when at >= 0:
                while (at < _tokens.Count - 1 && _tokens[at].Kind is TokenKind.Sub or TokenKind.Dot)
                {
                    at++;
                }

                return at;
            case Var:
                return at;
            case SetTerm { Items.Count: 0 }:
                return at >= 0 && at + 1 < _tokens.Count && _tokens[at + 1].Kind == TokenKind.LParen ? MatchClose(at + 1) : -1;
            case ArrayTerm or SetTerm or ObjectTerm or ArrayComprehension or SetComprehension or ObjectComprehension when at >= 0:
                return MatchClose(at);
            default:
                return -1;
        }
    }

    private void PrintTermInner(Term term)
    {
        Mark(term.Location.Line);
        switch (term)
        {
            case Scalar s:
                PrintScalar(s);
                break;
            case Var v:
                Write(v.IsGenerated ? "_" : v.Name);
                break;
            case Ref r:
                PrintRef(r);
                break;
            case ArrayTerm a:
                PrintCollection(a.Location, "[", "]", a.Items.Count, i => PrintItem(a.Items[i]), i => a.Items[i].Location.Line);
                break;
            case SetTerm s when s.Items.Count == 0:
                Write("set()");
                break;
            case SetTerm s:
                PrintCollection(s.Location, "{", "}", s.Items.Count, i => PrintItem(s.Items[i]), i => s.Items[i].Location.Line);
                break;
            case ObjectTerm o:
                PrintCollection(o.Location, "{", "}", o.Pairs.Count, i =>
                {
                    PrintItem(o.Pairs[i].Key);
                    Write(": ");
                    PrintItem(o.Pairs[i].Value);
                }, i => o.Pairs[i].Key.Location.Line);
                break;
            case ArrayComprehension ac:
                PrintComprehension(ac.Location, "[", "]", () => PrintItem(ac.Term), ac.Body);
                break;
            case SetComprehension sc:
                PrintComprehension(sc.Location, "{", "}", () => PrintItem(sc.Term), sc.Body);
                break;
            case ObjectComprehension oc:
                PrintComprehension(oc.Location, "{", "}", () =>
                {
                    PrintItem(oc.Key);
                    Write(": ");
                    PrintItem(oc.Value);
                }, oc.Body);
                break;
            case Call c:
                PrintCall(c);
                break;
            case TemplateString ts:
                PrintTemplate(ts);
                break;
            default:
                throw new InvalidOperationException($"cannot format {term.GetType().Name}");
        }
    }

    /// <summary>
    /// A collection item, key, value or comprehension head: an operator expression that contains <c>|</c> is
    /// parenthesised, since <c>[a | b]</c> and <c>{k: a | b}</c> would read as comprehensions.
    /// </summary>
    private void PrintItem(Term term)
    {
        PrintTerm(term, InfixAny, parenthesize: ContainsBar(term));
    }

    private static bool ContainsBar(Term term)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        return term is Call c && PrecedenceOf(c) != Atom && (c.Name == "or" || c.Args.Any(ContainsBar));
    }

    private void PrintScalar(Scalar s)
    {
        var i = TokenIndex(s.Location);
        if (i >= 0)
        {
            var t = _tokens[i];
            switch (t.Kind)
            {
                case TokenKind.String or TokenKind.RawString when s.Value is StringValue:
                    Write(TokenText(i));
                    Mark(EndLineOf(i));
                    return;
                case TokenKind.Number or TokenKind.Sub or TokenKind.Dot when s.Value is NumberValue:
                    var b = new StringBuilder();
                    for (var j = i; j < _tokens.Count; j++)
                    {
                        b.Append(TokenText(j));
                        if (_tokens[j].Kind == TokenKind.Number)
                        {
                            break;
                        }
                    }

                    Write(b.ToString());
                    return;
                case TokenKind.Null or TokenKind.True or TokenKind.False when s.Value is not StringValue:
                    Write(TokenText(i));
                    return;
            }
        }

        Write(s.Value.ToString());
    }

    private bool IsBracketed(Term pathTerm) =>
        TokenIndex(pathTerm.Location) is var t and >= 0 && _tokens[t].Kind is TokenKind.String or TokenKind.RawString;

    private void PrintRef(Ref r)
    {
        PrintTerm(r.Head, Atom);
        foreach (var p in r.Path)
        {
            // A string written in brackets (`p["x"]`) stays in brackets, as opa fmt keeps it; `.x` stays `.x`.
            if (p is Scalar { Value: StringValue s } && AstPrinter.IsIdentifier(s.Value) && !IsBracketed(p))
            {
                Mark(p.Location.Line);
                Write("." + s.Value);
            }
            else
            {
                Write("[");
                PrintTerm(p, InfixAny);
                Write("]");
            }
        }
    }

    private void PrintCall(Call c)
    {
        if (c.Name is { } name && c.Args.Count == 2 && Infix.TryGetValue(name, out var op))
        {
            PrintTerm(c.Args[0], op.Precedence);
            Write(" " + op.Symbol + " ");
            PrintTerm(c.Args[1], op.Precedence + 1);
            return;
        }

        if (c.Name == "internal.member_2" && c.Args.Count == 2)
        {
            PrintTerm(c.Args[0], 1);
            Write(" in ");
            PrintTerm(c.Args[1], AboveIn);
            return;
        }

        if (c.Name == "internal.member_3" && c.Args.Count == 3)
        {
            PrintMembership(c.Args[0], c.Args[1], c.Args[2]);
            return;
        }

        PrintRef(c.Operator);
        PrintArguments(FindOpenParen(TokenIndex(c.Operator.Location)), c.Args);
    }

    /// <summary>Call or head arguments: one per line when the author broke the line after <c>(</c>, as opa fmt does.</summary>
    private void PrintArguments<T>(int open, IReadOnlyList<T> args)
        where T : Term
    {
        var multiLine = open >= 0 && args.Count > 0 && args[0].Location.Line > _tokens[open].Line;
        if (!multiLine)
        {
            Write("(");
            PrintList(args);
            Write(")");
            return;
        }

        Open("(");
        foreach (var arg in args)
        {
            StartLine(arg.Location.Line, false);
            PrintTerm(arg, InfixAny);
            Write(",");
        }

        Close(")", MatchClose(open));
    }

    private int FindOpenParen(int from)
    {
        if (from < 0)
        {
            return -1;
        }

        for (var i = from; i < _tokens.Count; i++)
        {
            switch (_tokens[i].Kind)
            {
                case TokenKind.LParen:
                    return i;
                case TokenKind.LBrack:
                    i = MatchClose(i);
                    break;
                case TokenKind.Ident or TokenKind.Dot or TokenKind.String:
                    break;
                default:
                    if (!TokenKinds.IsKeyword(_tokens[i].Kind))
                    {
                        return -1;
                    }

                    break;
            }
        }

        return -1;
    }

    private void PrintList<T>(IReadOnlyList<T> items)
        where T : Term
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                Write(", ");
            }

            PrintTerm(items[i], InfixAny);
        }
    }

    private void PrintCollection(SourceLocation location, string open, string close, int count, Action<int> item, Func<int, int> lineOf)
    {
        var openIndex = TokenIndex(location);
        var closeIndex = openIndex >= 0 ? MatchClose(openIndex) : -1;
        // Multi-line when an item starts on a later line than the bracket (`[{` ... `}]` hugs, as in opa fmt).
        var multiLine = openIndex >= 0 && Enumerable.Range(0, count).Any(i => lineOf(i) > _tokens[openIndex].Line);
        if (!multiLine)
        {
            Write(open);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    Write(", ");
                }

                item(i);
            }

            Write(close);
            return;
        }

        // One item per line, except that items the author wrote on one line stay on one line (as opa fmt does).
        Open(open);
        for (var i = 0; i < count; i++)
        {
            if (i == 0 || lineOf(i) != lineOf(i - 1))
            {
                StartLine(lineOf(i), false);
            }
            else
            {
                Write(" ");
            }

            item(i);
            Write(",");
        }

        Close(close, closeIndex);
    }

    private void PrintComprehension(SourceLocation location, string open, string close, Action head, Body body)
    {
        var openIndex = TokenIndex(location);
        var closeIndex = openIndex >= 0 ? MatchClose(openIndex) : -1;
        var multiLine = closeIndex >= 0 && (_tokens[closeIndex].Line > _tokens[openIndex].Line
            || body.Exprs.Any(e => e.Terms is Every));
        Write(open);
        head();
        if (!multiLine)
        {
            Write(" | ");
            for (var i = 0; i < body.Count; i++)
            {
                if (i > 0)
                {
                    Write("; ");
                }

                PrintExpr(body[i]);
            }

            Write(close);
            return;
        }

        Write(" |");
        _afterOpen = true;
        _indent++;
        for (var i = 0; i < body.Count; i++)
        {
            StartLine(body[i].Location.Line, true);
            PrintExpr(body[i]);
        }

        Close(close, closeIndex);
    }

    /// <summary>Template strings are copied as written (their holes included), like every other literal.</summary>
    private void PrintTemplate(TemplateString ts)
    {
        var start = TokenIndex(ts.Location);
        if (start < 0 || _tokens[start].Kind is not (TokenKind.TemplatePart or TokenKind.TemplateEnd))
        {
            throw new InvalidOperationException("template string without source tokens");
        }

        var end = start;
        if (_tokens[start].Kind == TokenKind.TemplatePart)
        {
            var depth = 1;
            for (end = start + 1; end < _tokens.Count; end++)
            {
                var t = _tokens[end];
                if (t.Kind is not (TokenKind.TemplatePart or TokenKind.TemplateEnd))
                {
                    continue;
                }

                if (_text[t.Start] == '$')
                {
                    if (t.Kind == TokenKind.TemplatePart)
                    {
                        depth++;
                    }
                }
                else if (t.Kind == TokenKind.TemplateEnd && --depth == 0)
                {
                    break;
                }
            }
        }

        end = Math.Min(end, _tokens.Count - 1);
        Write(_text[_tokens[start].Start.._tokens[end].End]);
        Mark(EndLineOf(end));
    }
}
