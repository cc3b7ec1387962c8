namespace Vigil.Policy.Syntax.Parsing;

/// <summary>
/// Turns Rego source into tokens in one pass (no regex, no per-token allocation). Whitespace and comments are not
/// tokens; each token records whether whitespace or a newline preceded it, which the parser needs for refs
/// (<c>a.b</c> vs <c>a .b</c>) and for newline-separated expressions. Template strings are split into parts around
/// their <c>{expr}</c> holes; the tokens of each hole are produced in between.
/// </summary>
internal sealed class Lexer
{
    private readonly string _text;
    private readonly List<Token> _tokens;
    private readonly Dictionary<int, string> _errors = [];
    private readonly Stack<(int Depth, bool Raw)> _templates = new();
    private readonly List<Comment> _comments = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _braceDepth;

    // Column counting (see ColumnAt): how many code points lie between the current line's start and _columnPos.
    private int _columnLineStart = -1;
    private int _columnPos;
    private int _columnCount;

    private Lexer(string text)
    {
        _text = text;
        _tokens = new List<Token>(Math.Max(16, text.Length / 4));
    }

    /// <summary>Tokens, always ending with <see cref="TokenKind.Eof"/>.</summary>
    public IReadOnlyList<Token> Tokens => _tokens;

    /// <summary>The token list itself, handed to the parser without copying.</summary>
    public List<Token> TokenList => _tokens;

    /// <summary>Comments in source order (for <c># METADATA</c> annotations).</summary>
    public IReadOnlyList<Comment> Comments => _comments;

    /// <summary>Messages for <see cref="TokenKind.Illegal"/> tokens, by token index.</summary>
    public IReadOnlyDictionary<int, string> Errors => _errors;

    public static Lexer Run(string text)
    {
        var lexer = new Lexer(text);
        lexer.Scan();
        return lexer;
    }

    private void Scan()
    {
        if (_text.Length > 0 && _text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
        }

        while (true)
        {
            var (space, newline) = SkipTrivia();
            var start = _pos;
            var line = _line;
            var col = ColumnAt(_pos);
            if (_pos >= _text.Length)
            {
                if (_templates.Count > 0)
                {
                    Add(TokenKind.Illegal, start, start, line, col, space, newline, "non-terminated template string");
                    _templates.Clear();
                }

                Add(TokenKind.Eof, start, start, line, col, space, newline);
                DemoteKeywordsStartingRefs();
                return;
            }

            var kind = ScanToken(out var error);
            Add(kind, start, _pos, line, col, space, newline, error);
        }
    }

    /// <summary>
    /// A keyword written directly before <c>.</c> or <c>[</c> starts a ref and is a name (<c>else.foo := 1</c>,
    /// <c>if.foo == 1</c>), as with OPA's keywords-in-refs feature. (After a dot any keyword is a name anyway.)
    /// </summary>
    private void DemoteKeywordsStartingRefs()
    {
        var tokens = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_tokens);
        for (var i = 0; i + 1 < tokens.Length; i++)
        {
            ref var t = ref tokens[i];
            var next = tokens[i + 1];
            if (TokenKinds.IsKeyword(t.Kind) && !next.SpaceBefore && next.Kind is TokenKind.Dot or TokenKind.LBrack)
            {
                t = t with { Kind = TokenKind.Ident };
            }
        }
    }

    /// <summary>
    /// The 1-based column of <paramref name="pos"/> on the current line in code points, as OPA counts it (a character
    /// outside the Basic Multilingual Plane is one column, not two UTF-16 units). Counted on from the previous call on
    /// the same line, so a long line costs linear time in all.
    /// </summary>
    private int ColumnAt(int pos)
    {
        if (_columnLineStart != _lineStart || pos < _columnPos)
        {
            _columnLineStart = _lineStart;
            _columnPos = _lineStart;
            _columnCount = 0;
        }

        var span = _text.AsSpan(_columnPos, pos - _columnPos);
        var count = span.Length;
        for (var i = span.IndexOfAnyInRange('\uDC00', '\uDFFF'); i >= 0; i = NextLowSurrogate(span, i + 1))
        {
            var at = _columnPos + i;
            if (at > _lineStart && char.IsHighSurrogate(_text[at - 1]))
            {
                count--; // the second half of a pair
            }
        }

        _columnPos = pos;
        _columnCount += count;
        return _columnCount + 1;

        static int NextLowSurrogate(ReadOnlySpan<char> span, int from)
        {
            var next = span[from..].IndexOfAnyInRange('\uDC00', '\uDFFF');
            return next < 0 ? -1 : from + next;
        }
    }

    private void Add(TokenKind kind, int start, int end, int line, int col, bool space, bool newline, string? error = null)
    {
        if (error is not null)
        {
            _errors[_tokens.Count] = error;
            kind = TokenKind.Illegal;
        }

        _tokens.Add(new Token(kind, start, end, line, col, space, newline));
    }

    private (bool Space, bool Newline) SkipTrivia()
    {
        var space = false;
        var newline = false;
        var text = _text;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            switch (c)
            {
                case ' ' or '\t' or '\r':
                    space = true;
                    _pos++;
                    break;
                case '\n':
                    space = newline = true;
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                    break;
                case '#':
                    space = true;
                    var end = text.IndexOf('\n', _pos);
                    end = end < 0 ? text.Length : end;
                    _comments.Add(new Comment(_pos, end, _line, ColumnAt(_pos)));
                    _pos = end;
                    break;
                default:
                    return (space, newline);
            }
        }

        return (space, newline);
    }

    private TokenKind ScanToken(out string? error)
    {
        error = null;
        var text = _text;
        var c = text[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            var start = _pos;
            _pos++;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            return TokenKinds.KeywordOrIdent(text.AsSpan(start, _pos - start));
        }

        if (char.IsAsciiDigit(c))
        {
            ScanNumber();
            return TokenKind.Number;
        }

        _pos++;
        var next = _pos < text.Length ? text[_pos] : '\0';
        switch (c)
        {
            case '"':
                return ScanString(out error);
            case '`':
                return ScanRawString(out error);
            case '$' when next is '"' or '`':
                _pos++;
                _templates.Push((_braceDepth, next == '`'));
                return ScanTemplateContinuation(next == '`', out error);
            case '{':
                _braceDepth++;
                return TokenKind.LBrace;
            case '}':
                _braceDepth--;
                if (_templates.Count > 0 && _templates.Peek().Depth == _braceDepth)
                {
                    return ScanTemplateContinuation(_templates.Peek().Raw, out error);
                }

                return TokenKind.RBrace;
            case '[':
                return TokenKind.LBrack;
            case ']':
                return TokenKind.RBrack;
            case '(':
                return TokenKind.LParen;
            case ')':
                return TokenKind.RParen;
            case '.':
                return TokenKind.Dot;
            case ',':
                return TokenKind.Comma;
            case ';':
                return TokenKind.Semicolon;
            case ':':
                if (next == '=')
                {
                    _pos++;
                    return TokenKind.Assign;
                }

                return TokenKind.Colon;
            case '=':
                if (next == '=')
                {
                    _pos++;
                    return TokenKind.Equal;
                }

                return TokenKind.Unify;
            case '!':
                if (next == '=')
                {
                    _pos++;
                    return TokenKind.Neq;
                }

                error = "illegal ! character";
                return TokenKind.Illegal;
            case '<':
                if (next == '=')
                {
                    _pos++;
                    return TokenKind.Lte;
                }

                return TokenKind.Lt;
            case '>':
                if (next == '=')
                {
                    _pos++;
                    return TokenKind.Gte;
                }

                return TokenKind.Gt;
            case '+':
                return TokenKind.Add;
            case '-':
                return TokenKind.Sub;
            case '*':
                return TokenKind.Mul;
            case '/':
                return TokenKind.Quo;
            case '%':
                return TokenKind.Rem;
            case '&':
                return TokenKind.And;
            case '|':
                return TokenKind.Or;
            default:
                if (char.IsHighSurrogate(c) && _pos < text.Length && char.IsLowSurrogate(text[_pos]))
                {
                    _pos++;
                }

                error = "illegal token";
                return TokenKind.Illegal;
        }
    }

    private void ScanNumber()
    {
        var text = _text;
        while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
        {
            _pos++;
        }

        if (_pos + 1 < text.Length && text[_pos] == '.' && char.IsAsciiDigit(text[_pos + 1]))
        {
            _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
            {
                _pos++;
            }
        }

        if (_pos < text.Length && (text[_pos] == 'e' || text[_pos] == 'E'))
        {
            var p = _pos + 1;
            if (p < text.Length && (text[p] == '+' || text[p] == '-'))
            {
                p++;
            }

            if (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                while (p < text.Length && char.IsAsciiDigit(text[p]))
                {
                    p++;
                }

                _pos = p;
            }
        }
    }

    /// <summary>Scans the rest of a double-quoted string (opening quote consumed); escapes are checked here, decoded by the parser.</summary>
    private TokenKind ScanString(out string? error)
    {
        error = null;
        var text = _text;
        while (true)
        {
            if (_pos >= text.Length || text[_pos] == '\n')
            {
                error = "non-terminated string";
                return TokenKind.Illegal;
            }

            var c = text[_pos++];
            if (c == '"')
            {
                return TokenKind.String;
            }

            if (c == '\\')
            {
                if (!ScanEscape(allowBrace: false))
                {
                    error = "illegal escape sequence";
                    SkipToEndOfString('"');
                    return TokenKind.Illegal;
                }
            }
        }
    }

    private bool ScanEscape(bool allowBrace)
    {
        var text = _text;
        if (_pos >= text.Length)
        {
            return false;
        }

        var e = text[_pos++];
        switch (e)
        {
            case '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't':
                return true;
            case '{' or '}' when allowBrace:
                return true;
            case 'u':
                for (var i = 0; i < 4; i++)
                {
                    if (_pos >= text.Length || !char.IsAsciiHexDigit(text[_pos]))
                    {
                        return false;
                    }

                    _pos++;
                }

                return true;
            default:
                return false;
        }
    }

    private void SkipToEndOfString(char quote)
    {
        while (_pos < _text.Length && _text[_pos] != '\n')
        {
            var c = _text[_pos++];
            if (c == '\\')
            {
                _pos++;
            }
            else if (c == quote)
            {
                return;
            }
        }
    }

    private TokenKind ScanRawString(out string? error)
    {
        error = null;
        var end = _text.IndexOf('`', _pos);
        if (end < 0)
        {
            CountLines(_pos, _text.Length);
            _pos = _text.Length;
            error = "non-terminated raw string";
            return TokenKind.Illegal;
        }

        CountLines(_pos, end);
        _pos = end + 1;
        return TokenKind.RawString;
    }

    /// <summary>Scans template text up to an expression hole <c>{</c> (TemplatePart) or the closing delimiter (TemplateEnd).</summary>
    private TokenKind ScanTemplateContinuation(bool raw, out string? error)
    {
        error = null;
        var text = _text;
        var quote = raw ? '`' : '"';
        while (true)
        {
            if (_pos >= text.Length || (!raw && text[_pos] == '\n'))
            {
                error = "non-terminated template string";
                _templates.Pop();
                return TokenKind.Illegal;
            }

            var c = text[_pos++];
            if (c == quote)
            {
                _templates.Pop();
                return TokenKind.TemplateEnd;
            }

            if (c == '{')
            {
                _braceDepth++;
                return TokenKind.TemplatePart;
            }

            if (c == '\n')
            {
                _line++;
                _lineStart = _pos;
            }
            else if (c == '\\')
            {
                if (raw)
                {
                    if (_pos < text.Length && text[_pos] is '{' or '}')
                    {
                        _pos++;
                    }
                }
                else if (!ScanEscape(allowBrace: true))
                {
                    error = "illegal escape sequence";
                    _templates.Pop();
                    SkipToEndOfString('"');
                    return TokenKind.Illegal;
                }
            }
        }
    }

    private void CountLines(int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (_text[i] == '\n')
            {
                _line++;
                _lineStart = i + 1;
            }
        }
    }
}

/// <summary>A <c>#</c> comment: source span (including the <c>#</c>, excluding the newline) and position.</summary>
internal readonly record struct Comment(int Start, int End, int Line, int Column);
