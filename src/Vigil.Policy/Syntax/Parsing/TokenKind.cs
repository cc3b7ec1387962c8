namespace Vigil.Policy.Syntax.Parsing;

internal enum TokenKind : byte
{
    Eof,
    Illegal,
    Ident,
    Number,
    String,
    RawString,

    /// <summary>Start or middle of a template string, ending with the <c>{</c> that opens an expression.</summary>
    TemplatePart,

    /// <summary>Last part of a template string, ending with its closing delimiter.</summary>
    TemplateEnd,

    // Keywords (always reserved: v1, and lenient v0 with every future keyword enabled).
    Package,
    Import,
    As,
    Default,
    Else,
    Not,
    Some,
    With,
    Null,
    True,
    False,
    In,
    Every,
    Contains,
    If,

    // Punctuation and operators.
    LBrace,
    RBrace,
    LBrack,
    RBrack,
    LParen,
    RParen,
    Dot,
    Comma,
    Semicolon,
    Colon,
    Assign,
    Unify,
    Equal,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Add,
    Sub,
    Mul,
    Quo,
    Rem,
    And,
    Or,
}

internal static class TokenKinds
{
    public static bool IsKeyword(TokenKind kind) => kind is >= TokenKind.Package and <= TokenKind.If;

    /// <summary>Token name as OPA prints it in "unexpected X token" messages; for operators also the builtin name (<c>plus</c>, <c>eq</c>, ...).</summary>
    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.Eof => "eof",
        TokenKind.Illegal => "illegal",
        TokenKind.Ident => "ident",
        TokenKind.Number => "number",
        TokenKind.String or TokenKind.RawString => "string",
        TokenKind.TemplatePart or TokenKind.TemplateEnd => "template-string",
        TokenKind.Package => "package",
        TokenKind.Import => "import",
        TokenKind.As => "as",
        TokenKind.Default => "default",
        TokenKind.Else => "else",
        TokenKind.Not => "not",
        TokenKind.Some => "some",
        TokenKind.With => "with",
        TokenKind.Null => "null",
        TokenKind.True => "true",
        TokenKind.False => "false",
        TokenKind.In => "in",
        TokenKind.Every => "every",
        TokenKind.Contains => "contains",
        TokenKind.If => "if",
        TokenKind.LBrace => "{",
        TokenKind.RBrace => "}",
        TokenKind.LBrack => "[",
        TokenKind.RBrack => "]",
        TokenKind.LParen => "(",
        TokenKind.RParen => ")",
        TokenKind.Dot => ".",
        TokenKind.Comma => ",",
        TokenKind.Semicolon => ";",
        TokenKind.Colon => ":",
        TokenKind.Assign => "assign",
        TokenKind.Unify => "eq",
        TokenKind.Equal => "equal",
        TokenKind.Neq => "neq",
        TokenKind.Lt => "lt",
        TokenKind.Lte => "lte",
        TokenKind.Gt => "gt",
        TokenKind.Gte => "gte",
        TokenKind.Add => "plus",
        TokenKind.Sub => "minus",
        TokenKind.Mul => "mul",
        TokenKind.Quo => "div",
        TokenKind.Rem => "rem",
        TokenKind.And => "and",
        TokenKind.Or => "or",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static TokenKind KeywordOrIdent(ReadOnlySpan<char> text) => text switch
    {
        "package" => TokenKind.Package,
        "import" => TokenKind.Import,
        "as" => TokenKind.As,
        "default" => TokenKind.Default,
        "else" => TokenKind.Else,
        "not" => TokenKind.Not,
        "some" => TokenKind.Some,
        "with" => TokenKind.With,
        "null" => TokenKind.Null,
        "true" => TokenKind.True,
        "false" => TokenKind.False,
        "in" => TokenKind.In,
        "every" => TokenKind.Every,
        "contains" => TokenKind.Contains,
        "if" => TokenKind.If,
        _ => TokenKind.Ident,
    };
}

/// <summary>One token: kind, source span and position, and whether whitespace / a newline preceded it.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End, int Line, int Column, bool SpaceBefore, bool NewlineBefore);
