using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>glob.match and glob.quote_meta with gobwas/glob semantics (as OPA uses it).</summary>
internal static class Glob
{
    private const int MaxCacheSize = 1_000;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static void Register(BuiltinTable table)
    {
        table.Add("glob.match", [T.String, T.Array | T.Null, T.String], T.Boolean, static (_, a) =>
        {
            var pattern = Args.String(a, 0);
            var delimiters = Delimiters(a[1]);
            var value = Args.String(a, 2);
            var regex = Compile(pattern, delimiters);
            try
            {
                return Value.From(regex.IsMatch(value));
            }
            catch (RegexMatchTimeoutException)
            {
                throw new BuiltinErrorException("glob match timed out");
            }
        });
        table.Add("glob.quote_meta", [T.String], T.String, static (_, a) => Value.From(QuoteMeta(Args.String(a, 0))));
    }

    private static List<int> Delimiters(Value value)
    {
        switch (value)
        {
            case NullValue:
                return [];
            case ArrayValue array:
                var runes = new List<int>();
                foreach (var item in array.AsSpan())
                {
                    if (item is not StringValue s)
                    {
                        throw Args.ElementError(2, array, item, "string");
                    }

                    var rs = s.Value.EnumerateRunes().ToList();
                    if (rs.Count != 1)
                    {
                        throw Args.ElementError(2, array, item, "rune");
                    }

                    runes.Add(rs[0].Value);
                }

                return runes.Count == 0 ? ['.'] : runes;
            default:
                throw new BuiltinTypeException(2, "one of {array, null}", value);
        }
    }

    private static string QuoteMeta(string s)
    {
        var builder = new StringBuilder(s.Length * 2);
        foreach (var c in s)
        {
            if (c is '*' or '?' or '\\' or '[' or ']' or '{' or '}')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static Regex Compile(string pattern, List<int> delimiters)
    {
        var key = string.Join(',', delimiters) + "\0" + pattern;
        if (Cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var separatorClass = new StringBuilder();
        foreach (var d in delimiters)
        {
            separatorClass.Append(Regex.Escape(char.ConvertFromUtf32(d)).Replace("]", "\\]", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal).Replace("^", "\\^", StringComparison.Ordinal));
        }

        var notSeparator = delimiters.Count == 0 ? "." : "[^" + separatorClass + "]";
        var position = 0;
        var body = ParseSequence(pattern, ref position, notSeparator, inAlternatives: false);
        if (position < pattern.Length)
        {
            throw new BuiltinErrorException($"unexpected '{pattern[position]}' at position {position} in glob {Strings.GoQuote(pattern)}");
        }

        Regex regex;
        try
        {
            regex = new Regex("\\A(?:" + body + ")\\z", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking, RegexBuiltins.MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new BuiltinErrorException("invalid glob pattern: " + e.Message);
        }

        if (Cache.Count >= MaxCacheSize)
        {
            Cache.Clear();
        }

        Cache[key] = regex;
        return regex;
    }

    private static string ParseSequence(string pattern, ref int i, string notSeparator, bool inAlternatives)
    {
        var builder = new StringBuilder();
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                    {
                        builder.Append(".*");
                        i += 2;
                        while (i < pattern.Length && pattern[i] == '*')
                        {
                            i++;
                        }
                    }
                    else
                    {
                        builder.Append(notSeparator).Append('*');
                        i++;
                    }

                    break;
                case '?':
                    builder.Append(notSeparator);
                    i++;
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length)
                    {
                        throw new BuiltinErrorException($"unexpected end of input in glob {Strings.GoQuote(pattern)}");
                    }

                    builder.Append(Regex.Escape(pattern[i + 1].ToString()));
                    i += 2;
                    break;
                case '[':
                    builder.Append(ParseRange(pattern, ref i));
                    break;
                case '{':
                    i++;
                    var alternatives = new List<string>();
                    while (true)
                    {
                        alternatives.Add(ParseSequence(pattern, ref i, notSeparator, inAlternatives: true));
                        if (i >= pattern.Length)
                        {
                            throw new BuiltinErrorException($"unexpected end of input in glob {Strings.GoQuote(pattern)}");
                        }

                        if (pattern[i] == ',')
                        {
                            i++;
                            continue;
                        }

                        i++; // '}'
                        break;
                    }

                    builder.Append("(?:").Append(string.Join('|', alternatives)).Append(')');
                    break;
                case ',' or '}' when inAlternatives:
                    return builder.ToString();
                default:
                    builder.Append(Regex.Escape(c.ToString()));
                    i++;
                    break;
            }
        }

        return builder.ToString();
    }

    private static string ParseRange(string pattern, ref int i)
    {
        var start = i;
        i++;
        var negate = i < pattern.Length && pattern[i] == '!';
        if (negate)
        {
            i++;
        }

        var builder = new StringBuilder(negate ? "[^" : "[");
        var any = false;
        while (i < pattern.Length && pattern[i] != ']')
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                c = pattern[i + 1];
                i++;
            }

            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                builder.Append(EscapeClassChar(c)).Append('-').Append(EscapeClassChar(pattern[i + 2]));
                i += 3;
            }
            else
            {
                builder.Append(EscapeClassChar(c));
                i++;
            }

            any = true;
        }

        if (i >= pattern.Length || !any)
        {
            throw new BuiltinErrorException($"unexpected end of input in glob {Strings.GoQuote(pattern[start..])}");
        }

        i++; // ']'
        return builder.Append(']').ToString();
    }

    private static string EscapeClassChar(char c) => c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString();
}
