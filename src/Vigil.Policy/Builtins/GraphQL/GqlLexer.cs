using System.Globalization;
using System.Text;

namespace Vigil.Policy.Builtins.GraphQL;

internal enum GqlTokenKind
{
    Invalid,
    Eof,
    Bang,
    Dollar,
    Amp,
    ParenL,
    ParenR,
    Spread,
    Colon,
    Equals,
    At,
    BracketL,
    BracketR,
    BraceL,
    Pipe,
    BraceR,
    Name,
    Int,
    Float,
    String,
    BlockString,
}

internal readonly record struct GqlToken(GqlTokenKind Kind, string Value, int Line, int Column)
{
    public static string KindName(GqlTokenKind kind) => kind switch
    {
        GqlTokenKind.Invalid => "<Invalid>",
        GqlTokenKind.Eof => "<EOF>",
        GqlTokenKind.Bang => "!",
        GqlTokenKind.Dollar => "$",
        GqlTokenKind.Amp => "&",
        GqlTokenKind.ParenL => "(",
        GqlTokenKind.ParenR => ")",
        GqlTokenKind.Spread => "...",
        GqlTokenKind.Colon => ":",
        GqlTokenKind.Equals => "=",
        GqlTokenKind.At => "@",
        GqlTokenKind.BracketL => "[",
        GqlTokenKind.BracketR => "]",
        GqlTokenKind.BraceL => "{",
        GqlTokenKind.Pipe => "|",
        GqlTokenKind.BraceR => "}",
        GqlTokenKind.Name => "Name",
        GqlTokenKind.Int => "Int",
        GqlTokenKind.Float => "Float",
        GqlTokenKind.String => "String",
        GqlTokenKind.BlockString => "BlockString",
        _ => "<Invalid>",
    };

    /// <summary>As gqlparser prints a token: its kind, then its quoted value when it has one.</summary>
    public override string ToString() => Value.Length > 0 ? KindName(Kind) + " " + Strings.GoQuote(Value) : KindName(Kind);
}

/// <summary>A GraphQL error at a source location (message as gqlparser words it).</summary>
internal sealed class GqlException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>GraphQL lexer (spec tokens; comments and commas are ignored).</summary>
internal sealed class GqlLexer(string input)
{
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    public GqlToken Next()
    {
        SkipIgnored();
        var line = _line;
        var column = _pos - _lineStart + 1;
        if (_pos >= input.Length)
        {
            return new GqlToken(GqlTokenKind.Eof, string.Empty, line, column);
        }

        var c = input[_pos];
        GqlToken Punct(GqlTokenKind kind, int length)
        {
            _pos += length;
            return new GqlToken(kind, string.Empty, line, column);
        }

        switch (c)
        {
            case '!': return Punct(GqlTokenKind.Bang, 1);
            case '$': return Punct(GqlTokenKind.Dollar, 1);
            case '&': return Punct(GqlTokenKind.Amp, 1);
            case '(': return Punct(GqlTokenKind.ParenL, 1);
            case ')': return Punct(GqlTokenKind.ParenR, 1);
            case ':': return Punct(GqlTokenKind.Colon, 1);
            case '=': return Punct(GqlTokenKind.Equals, 1);
            case '@': return Punct(GqlTokenKind.At, 1);
            case '[': return Punct(GqlTokenKind.BracketL, 1);
            case ']': return Punct(GqlTokenKind.BracketR, 1);
            case '{': return Punct(GqlTokenKind.BraceL, 1);
            case '|': return Punct(GqlTokenKind.Pipe, 1);
            case '}': return Punct(GqlTokenKind.BraceR, 1);
            case '.':
                if (string.CompareOrdinal(input, _pos, "...", 0, 3) == 0)
                {
                    return Punct(GqlTokenKind.Spread, 3);
                }

                throw new GqlException("Cannot parse the unexpected character \".\".", line, column);
            case '"':
                // gqlparser positions string tokens after their opening quote(s).
                return string.CompareOrdinal(input, _pos, "\"\"\"", 0, 3) == 0 ? ReadBlockString(line, column + 3) : ReadString(line, column + 1);
        }

        if (c == '_' || char.IsAsciiLetter(c))
        {
            var start = _pos;
            while (_pos < input.Length && (input[_pos] == '_' || char.IsAsciiLetterOrDigit(input[_pos])))
            {
                _pos++;
            }

            return new GqlToken(GqlTokenKind.Name, input[start.._pos], line, column);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return ReadNumber(line, column);
        }

        throw new GqlException($"Cannot parse the unexpected character {Strings.GoQuote(c.ToString())}.", line, column);
    }

    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
    }

    private void SkipIgnored()
    {
        while (_pos < input.Length)
        {
            var c = input[_pos];
            switch (c)
            {
                case '\uFEFF' or ' ' or '\t' or ',':
                    _pos++;
                    break;
                case '\n':
                    _pos++;
                    NewLine();
                    break;
                case '\r':
                    _pos++;
                    if (_pos < input.Length && input[_pos] == '\n')
                    {
                        _pos++;
                    }

                    NewLine();
                    break;
                case '#':
                    while (_pos < input.Length && input[_pos] is not ('\n' or '\r'))
                    {
                        _pos++;
                    }

                    break;
                default:
                    return;
            }
        }
    }

    private GqlToken ReadNumber(int line, int column)
    {
        var start = _pos;
        var isFloat = false;
        if (input[_pos] == '-')
        {
            _pos++;
        }

        if (_pos < input.Length && input[_pos] == '0')
        {
            _pos++;
            if (_pos < input.Length && char.IsAsciiDigit(input[_pos]))
            {
                throw new GqlException($"Invalid number, unexpected digit after 0: {Strings.GoQuote(input[_pos].ToString())}.", _line, _pos - _lineStart + 1);
            }
        }
        else
        {
            ReadDigits();
        }

        if (_pos < input.Length && input[_pos] == '.')
        {
            isFloat = true;
            _pos++;
            ReadDigits();
        }

        if (_pos < input.Length && input[_pos] is 'e' or 'E')
        {
            isFloat = true;
            _pos++;
            if (_pos < input.Length && input[_pos] is '+' or '-')
            {
                _pos++;
            }

            ReadDigits();
        }

        return new GqlToken(isFloat ? GqlTokenKind.Float : GqlTokenKind.Int, input[start.._pos], line, column);
    }

    private void ReadDigits()
    {
        if (_pos >= input.Length || !char.IsAsciiDigit(input[_pos]))
        {
            var found = _pos >= input.Length ? "<EOF>" : Strings.GoQuote(input[_pos].ToString());
            throw new GqlException($"Invalid number, expected digit but got: {found}.", _line, _pos - _lineStart + 1);
        }

        while (_pos < input.Length && char.IsAsciiDigit(input[_pos]))
        {
            _pos++;
        }
    }

    private GqlToken ReadString(int line, int column)
    {
        _pos++;
        var builder = new StringBuilder();
        while (_pos < input.Length)
        {
            var c = input[_pos];
            if (c is '\n' or '\r')
            {
                break;
            }

            if (c == '"')
            {
                _pos++;
                return new GqlToken(GqlTokenKind.String, builder.ToString(), line, column);
            }

            if (c < 0x20 && c != '\t')
            {
                throw new GqlException($"Invalid character within String: {Strings.GoQuote(c.ToString())}.", _line, _pos - _lineStart + 1);
            }

            if (c == '\\')
            {
                if (_pos + 1 >= input.Length)
                {
                    break;
                }

                var e = input[_pos + 1];
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u' when _pos + 5 < input.Length && int.TryParse(input.AsSpan(_pos + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw new GqlException($"Invalid character escape sequence: \\{e}.", _line, _pos - _lineStart + 1);
                }

                _pos += 2;
                continue;
            }

            builder.Append(c);
            _pos++;
        }

        throw new GqlException("Unterminated string.", _line, _pos - _lineStart + 1);
    }

    private GqlToken ReadBlockString(int line, int column)
    {
        _pos += 3;
        var raw = new StringBuilder();
        while (_pos < input.Length)
        {
            if (string.CompareOrdinal(input, _pos, "\"\"\"", 0, 3) == 0)
            {
                _pos += 3;
                return new GqlToken(GqlTokenKind.BlockString, BlockStringValue(raw.ToString()), line, column);
            }

            if (string.CompareOrdinal(input, _pos, "\\\"\"\"", 0, 4) == 0)
            {
                raw.Append("\"\"\"");
                _pos += 4;
                continue;
            }

            var c = input[_pos];
            raw.Append(c);
            _pos++;
            if (c == '\n')
            {
                NewLine();
            }
            else if (c == '\r')
            {
                if (_pos < input.Length && input[_pos] == '\n')
                {
                    raw.Append('\n');
                    _pos++;
                }

                NewLine();
            }
        }

        // Unterminated: gqlparser yields an invalid token where the input ends.
        return new GqlToken(GqlTokenKind.Invalid, string.Empty, _line, _pos - _lineStart + 1);
    }

    /// <summary>The spec's BlockStringValue: common indentation and blank first/last lines removed.</summary>
    private static string BlockStringValue(string raw)
    {
        var lines = raw.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        int? common = null;
        for (var i = 1; i < lines.Length; i++)
        {
            var indent = lines[i].TakeWhile(static ch => ch is ' ' or '\t').Count();
            if (indent < lines[i].Length && (common is null || indent < common))
            {
                common = indent;
            }
        }

        if (common is > 0)
        {
            for (var i = 1; i < lines.Length; i++)
            {
                lines[i] = lines[i].Length >= common ? lines[i][common.Value..] : string.Empty;
            }
        }

        var list = lines.ToList();
        while (list.Count > 0 && list[0].All(static ch => ch is ' ' or '\t'))
        {
            list.RemoveAt(0);
        }

        while (list.Count > 0 && list[^1].All(static ch => ch is ' ' or '\t'))
        {
            list.RemoveAt(list.Count - 1);
        }

        return string.Join('\n', list);
    }
}
