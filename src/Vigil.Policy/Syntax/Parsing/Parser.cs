using System.Runtime.CompilerServices;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Parsing;

/// <summary>
/// Recursive-descent Rego parser over a pre-lexed token array, modelled on OPA's parser (same precedence, same
/// backtracking points for comprehensions and <c>if</c> literals, same error messages). Parse functions return null
/// after recording an error; backtracking restores the token position, wildcard counter and error list.
/// Nesting is bounded by <see cref="MaxDepth"/> and by the remaining stack, so hostile input yields an error, never a crash.
/// </summary>
internal sealed partial class Parser
{
    public const int MaxDepth = 1000;
    private const int MaxErrors = 20;

    private readonly string _file;
    private readonly string _text;
    private readonly List<Token> _tokens;
    private readonly IReadOnlyDictionary<int, string> _lexErrors;
    private readonly IReadOnlyList<Comment> _comments;
    private readonly List<PolicyError> _errors = [];
    private readonly Dictionary<int, CachedTerm> _termCache = [];
    private int _pos;
    private int _wildcard;
    private int _depth;

    public Parser(string file, string text)
    {
        _file = file;
        _text = text;
        var lexer = Lexer.Run(text);
        _tokens = lexer.TokenList;
        _lexErrors = lexer.Errors;
        _comments = lexer.Comments;
    }

    public List<PolicyError> Errors => _errors;

    /// <summary>The tokens of the text (for the formatter, which prints literals as written).</summary>
    public IReadOnlyList<Token> Tokens => _tokens;

    /// <summary>The comments of the text, in source order.</summary>
    public IReadOnlyList<Comment> Comments => _comments;

    private Token Cur => _tokens[_pos];

    private TokenKind Tok => _tokens[_pos].Kind;

    private void Next()
    {
        if (_pos < _tokens.Count - 1)
        {
            _pos++;
        }
    }

    private SourceLocation Loc(Token t) => new(_file, t.Line, t.Column);

    private SourceLocation CurLoc => Loc(Cur);

    private ReadOnlySpan<char> Span(Token t) => _text.AsSpan(t.Start, t.End - t.Start);

    private string TextOf(Token t) => _text.Substring(t.Start, t.End - t.Start);

    private readonly record struct State(int Pos, int Wildcard, int ErrorCount);

    private State Save() => new(_pos, _wildcard, _errors.Count);

    private void Restore(State s)
    {
        _pos = s.Pos;
        _wildcard = s.Wildcard;
        if (_errors.Count > s.ErrorCount)
        {
            _errors.RemoveRange(s.ErrorCount, _errors.Count - s.ErrorCount);
        }
    }

    private sealed record CachedTerm(Term? Term, State After, PolicyError[] Errors);

    private sealed class NestingDepthException(SourceLocation location) : Exception
    {
        public SourceLocation Location { get; } = location;
    }

    /// <summary>Enters one level of syntactic nesting (a term, body, else clause or operator-chain link).</summary>
    private void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new NestingDepthException(CurLoc);
        }

        Probe();
    }

    private void Leave() => _depth--;

    /// <summary>Checks the remaining stack in recursive helpers that do not add a nesting level of their own.</summary>
    private void Probe()
    {
        // Shallow parses skip the probe's cost; deep ones fail cleanly instead of overflowing a small thread stack.
        if (_depth > 32 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new NestingDepthException(CurLoc);
        }
    }

    /// <summary>Runs a top-level parse step, turning a nesting overflow into a parse error.</summary>
    private T? Guard<T>(Func<T?> step)
        where T : class
    {
        try
        {
            return step();
        }
        catch (NestingDepthException e)
        {
            _depth = 0;
            _errors.Add(new PolicyError(PolicyErrorCodes.ParseError, $"input exceeds maximum nesting depth ({MaxDepth})", e.Location));
            _pos = _tokens.Count - 1;
            return null;
        }
    }

    private void Error(SourceLocation location, string message) =>
        _errors.Add(new PolicyError(PolicyErrorCodes.ParseError, message, location));

    private void Illegal(string note = "")
    {
        if (Tok == TokenKind.Illegal)
        {
            Error(CurLoc, _lexErrors.TryGetValue(_pos, out var m) ? m : "illegal token");
            return;
        }

        var kind = TokenKinds.IsKeyword(Tok) ? "keyword" : "token";
        var name = TokenKinds.Describe(Tok);
        Error(CurLoc, note.Length > 0 ? $"unexpected {name} {kind}: {note}" : $"unexpected {name} {kind}");
    }

    private Var NewWildcard(SourceLocation location) => new("$" + (_wildcard++).ToString(System.Globalization.CultureInfo.InvariantCulture), location);

    private static Ref OpRef(string name, SourceLocation location)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return new Ref(new Var(name, location), [], location);
        }

        var parts = name.Split('.');
        var path = new Term[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
        {
            path[i - 1] = new Scalar(StringValue.Create(parts[i]), location);
        }

        return new Ref(new Var(parts[0], location), path, location);
    }

    private static Expr TrueExpr(SourceLocation location) => new(0, false, new Scalar(Value.True, location), [], location);

    private static Body TrueBody(SourceLocation location) => new([TrueExpr(location)], location);

    /// <summary>OPA's ValueName: the noun used in messages like "number cannot be used for rule name".</summary>
    internal static string ValueName(Term t) => t switch
    {
        Scalar { Value: NullValue } => "null",
        Scalar { Value: BooleanValue } => "boolean",
        Scalar { Value: NumberValue } => "number",
        Scalar { Value: StringValue } => "string",
        Var => "var",
        Ref => "ref",
        ArrayTerm => "array",
        ObjectTerm => "object",
        SetTerm => "set",
        ArrayComprehension => "arraycomprehension",
        SetComprehension => "setcomprehension",
        ObjectComprehension => "objectcomprehension",
        Call => "call",
        TemplateString => "templatestring",
        _ => "term",
    };

    internal static bool IsGround(Term t)
    {
        switch (t)
        {
            case Scalar:
                return true;
            case ArrayTerm a:
                return a.Items.All(IsGround);
            case SetTerm s:
                return s.Items.All(IsGround);
            case ObjectTerm o:
                return o.Pairs.All(p => IsGround(p.Key) && IsGround(p.Value));
            case Ref r:
                return r.Path.All(IsGround);
            case Call c:
                return c.Args.All(IsGround);
            default:
                return false;
        }
    }
}
