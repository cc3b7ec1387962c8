using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// regex.* builtins. Go's RE2 syntax is translated to .NET and compiled with the non-backtracking
/// engine (linear time, and it rejects what RE2 rejects: backreferences, lookaround); every match
/// also runs under a timeout. Compiled patterns are cached process-wide.
/// </summary>
internal static class RegexBuiltins
{
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private const int MaxCacheSize = 1_000;
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static void Register(BuiltinTable table)
    {
        table.Add("regex.match", [T.String, T.String], T.Boolean, static (_, a) => Value.From(IsMatch(Compile(Args.String(a, 0)), Args.String(a, 1))));
        table.Add("re_match", [T.String, T.String], T.Boolean, static (_, a) => Value.From(IsMatch(Compile(Args.String(a, 0)), Args.String(a, 1))));
        table.Add("regex.is_valid", [T.Any], T.Boolean, static (ctx, a) => Value.From(a[0] is StringValue s && TryCompile(s.Value, out _, out _)));
        table.Add("regex.find_n", [T.String, T.String, T.Number], T.Array, static (_, a) =>
        {
            var re = Compile(Args.String(a, 0));
            var matches = FindAll(re, Args.String(a, 1), CoreArgs.Int(a, 2));
            return ArrayValue.Create(matches.Select(static m => (Value)Value.From(m.Value)));
        });
        table.Add("regex.find_all_string_submatch_n", [T.String, T.String, T.Number], T.Array, static (_, a) =>
        {
            var re = Compile(Args.String(a, 0));
            var matches = FindAll(re, Args.String(a, 1), CoreArgs.Int(a, 2));
            return ArrayValue.Create(matches.Select(static m =>
                (Value)ArrayValue.Create(m.Groups.Cast<Group>().Select(static g => (Value)Value.From(g.Success ? g.Value : string.Empty)))));
        });
        table.Add("regex.replace", [T.String, T.String, T.String], T.String, static (_, a) =>
        {
            var s = Args.String(a, 0);
            var re = Compile(Args.String(a, 1));
            return Value.From(ReplaceAll(re, s, Args.String(a, 2)));
        });
        table.Add("regex.split", [T.String, T.String], T.Array, static (_, a) =>
        {
            var re = Compile(Args.String(a, 0));
            return CoreArgs.StringArray(Split(re, Args.String(a, 0), Args.String(a, 1)));
        });
        table.Add("regex.template_match", [T.String, T.String, T.String, T.String], T.Boolean, static (_, a) =>
            Value.From(TemplateMatch(Args.String(a, 0), Args.String(a, 1), Args.String(a, 2), Args.String(a, 3))));
        table.Add("regex.globs_match", [T.String, T.String], T.Boolean, static (_, a) =>
            Value.From(GlobsIntersect.Match(Args.String(a, 0), Args.String(a, 1))));
    }

    public static Regex Compile(string pattern)
    {
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        if (!TryCompile(pattern, out var regex, out var error))
        {
            throw new BuiltinErrorException("error parsing regexp: " + error);
        }

        if (Cache.Count >= MaxCacheSize)
        {
            Cache.Clear();
        }

        Cache[pattern] = regex;
        return regex;
    }

    public static bool TryCompile(string pattern, out Regex regex, out string error)
    {
        regex = null!;
        if (!TryTranslate(pattern, out var translated, out error))
        {
            return false;
        }

        try
        {
            regex = new Regex(translated, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
            return true;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return false;
        }
        catch (NotSupportedException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Rewrites the RE2 constructs .NET spells differently; rejects those RE2 does not have.</summary>
    private static bool TryTranslate(string pattern, out string translated, out string error)
    {
        var builder = new StringBuilder(pattern.Length + 8);
        error = string.Empty;
        translated = string.Empty;
        var inClass = false;
        var multiline = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    error = "trailing backslash at end of expression: ``";
                    return false;
                }

                var next = pattern[i + 1];
                if (char.IsAsciiDigit(next) && next != '0' && !inClass)
                {
                    error = $"invalid escape sequence: `\\{next}`";
                    return false;
                }

                if (next == 'Z')
                {
                    error = "invalid escape sequence: `\\Z`";
                    return false;
                }

                if (next == 'z')
                {
                    builder.Append("\\z");
                    i++;
                    continue;
                }

                if (next == 'Q')
                {
                    // \Q...\E: literal text.
                    var end = pattern.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                    var literal = end < 0 ? pattern[(i + 2)..] : pattern[(i + 2)..end];
                    builder.Append(inClass ? literal.Replace("]", "\\]", StringComparison.Ordinal) : System.Text.RegularExpressions.Regex.Escape(literal));
                    i = end < 0 ? pattern.Length : end + 1;
                    continue;
                }

                if (next is 'p' or 'P' && i + 2 < pattern.Length && pattern[i + 2] != '{')
                {
                    // Go's one-letter class form \pL; .NET needs braces.
                    builder.Append('\\').Append(next).Append('{').Append(pattern[i + 2]).Append('}');
                    i += 2;
                    continue;
                }

                builder.Append(c).Append(next);
                i++;
                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    if (end > 0 && TryPosixClass(pattern[(i + 2)..end], out var cls))
                    {
                        builder.Append(cls);
                        i = end + 1;
                        continue;
                    }
                }

                if (c == '[')
                {
                    builder.Append("\\[");
                    continue;
                }

                if (c == ']')
                {
                    inClass = false;
                }

                builder.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    builder.Append(c);
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        builder.Append('^');
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        builder.Append("\\]");
                        i++;
                    }

                    continue;
                case '(' when i + 2 < pattern.Length && pattern[i + 1] == '?':
                    var rest = pattern.AsSpan(i + 2);
                    if (rest.StartsWith("P<"))
                    {
                        builder.Append("(?<");
                        i += 3;
                        continue;
                    }

                    if (rest.StartsWith("=") || rest.StartsWith("!") || rest.StartsWith("<=") || rest.StartsWith("<!") || rest.StartsWith(">"))
                    {
                        error = "invalid or unsupported Perl syntax: `(?" + rest[0] + "`";
                        return false;
                    }

                    // Flags group, e.g. (?i) or (?sm:...).
                    var j = 0;
                    while (j < rest.Length && rest[j] is 'i' or 'm' or 's' or 'U' or '-')
                    {
                        if (rest[j] == 'm')
                        {
                            multiline = true;
                        }

                        if (rest[j] == 'U')
                        {
                            error = "ungreedy flag (?U) is not supported";
                            return false;
                        }

                        j++;
                    }

                    builder.Append(c);
                    continue;
                case '$' when !multiline:
                    builder.Append("\\z");
                    continue;
                default:
                    if ((c is '*' or '+' or '?') && i + 1 < pattern.Length && pattern[i + 1] is '*' or '+')
                    {
                        error = $"invalid nested repetition operator: `{c}{pattern[i + 1]}`";
                        return false;
                    }

                    builder.Append(c);
                    continue;
            }
        }

        if (inClass)
        {
            error = "missing closing ]: `" + pattern[pattern.LastIndexOf('[')..] + "`";
            return false;
        }

        translated = builder.ToString();
        return true;
    }

    private static bool TryPosixClass(string name, out string cls)
    {
        cls = name switch
        {
            "alnum" => "0-9A-Za-z",
            "alpha" => "A-Za-z",
            "ascii" => "\\x00-\\x7F",
            "blank" => "\\t ",
            "cntrl" => "\\x00-\\x1F\\x7F",
            "digit" => "0-9",
            "graph" => "!-~",
            "lower" => "a-z",
            "print" => " -~",
            "punct" => "!-/:-@\\[-`{-~",
            "space" => "\\t\\n\\v\\f\\r ",
            "upper" => "A-Z",
            "word" => "0-9A-Za-z_",
            "xdigit" => "0-9A-Fa-f",
            _ => string.Empty,
        };
        return cls.Length > 0;
    }

    private static bool IsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new BuiltinErrorException("regular expression match timed out");
        }
    }

    /// <summary>Go's FindAll: empty matches directly after a previous match are dropped; n &lt; 0 means all.</summary>
    public static List<Match> FindAll(Regex regex, string input, long n) => n == 0 ? [] : [.. Enumerate(regex, input).Take(n < 0 || n > int.MaxValue ? int.MaxValue : (int)n)];

    /// <summary>Matches lazily, with Go's rule for empty matches and the match timeout turned into a builtin error.</summary>
    private static IEnumerable<Match> Enumerate(Regex regex, string input)
    {
        var previousEnd = -1;
        var match = Safe(() => regex.Match(input));
        while (match.Success)
        {
            if (match.Length != 0 || match.Index != previousEnd)
            {
                yield return match;
                previousEnd = match.Index + match.Length;
            }

            var current = match;
            match = Safe(current.NextMatch);
        }
    }

    private static Match Safe(Func<Match> next)
    {
        try
        {
            return next();
        }
        catch (RegexMatchTimeoutException)
        {
            throw new BuiltinErrorException("regular expression match timed out");
        }
    }

    private static string ReplaceAll(Regex regex, string input, string template)
    {
        var builder = new StringBuilder(input.Length);
        var last = 0;
        foreach (var m in Enumerate(regex, input))
        {
            CoreArgs.CheckResultLength(builder.Length);
            builder.Append(input, last, m.Index - last);
            Expand(builder, template, regex, m);
            last = m.Index + m.Length;
        }

        builder.Append(input, last, input.Length - last);
        return builder.ToString();
    }

    /// <summary>Go's Regexp.Expand: $name / ${name}; a name is the longest run of letters, digits and underscores.</summary>
    private static void Expand(StringBuilder builder, string template, Regex regex, Match match)
    {
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                builder.Append(c);
                continue;
            }

            if (template[i + 1] == '$')
            {
                builder.Append('$');
                i++;
                continue;
            }

            string name;
            int end;
            if (template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close < 0)
                {
                    builder.Append(c);
                    continue;
                }

                name = template[(i + 2)..close];
                end = close;
                if (name.Length == 0 || !name.All(static ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
                {
                    builder.Append(c);
                    continue;
                }
            }
            else
            {
                var j = i + 1;
                while (j < template.Length && (char.IsAsciiLetterOrDigit(template[j]) || template[j] == '_'))
                {
                    j++;
                }

                if (j == i + 1)
                {
                    builder.Append(c);
                    continue;
                }

                name = template[(i + 1)..j];
                end = j - 1;
            }

            Group? group = null;
            if (int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                if (number < match.Groups.Count)
                {
                    group = match.Groups[number];
                }
            }
            else if (regex.GroupNumberFromName(name) >= 0)
            {
                group = match.Groups[name];
            }

            if (group is { Success: true })
            {
                builder.Append(group.Value);
            }

            i = end;
        }
    }

    private static List<string> Split(Regex regex, string pattern, string input)
    {
        if (pattern.Length > 0 && input.Length == 0)
        {
            return [string.Empty];
        }

        var parts = new List<string>();
        var begin = 0;
        var end = 0;
        foreach (var m in FindAll(regex, input, -1))
        {
            end = m.Index;
            if (m.Index + m.Length != 0)
            {
                parts.Add(input[begin..end]);
            }

            begin = m.Index + m.Length;
        }

        if (end != input.Length)
        {
            parts.Add(input[begin..]);
        }

        return parts;
    }

    private static bool TemplateMatch(string template, string value, string open, string close)
    {
        if (open.Length == 0 || close.Length == 0)
        {
            throw new BuiltinErrorException("delimiters must not be empty");
        }

        var builder = new StringBuilder("^");
        var i = 0;
        while (i < template.Length)
        {
            var start = template.IndexOf(open, i, StringComparison.Ordinal);
            if (start < 0)
            {
                builder.Append(Regex.Escape(template[i..]));
                break;
            }

            builder.Append(Regex.Escape(template[i..start]));

            // Find the matching close delimiter, allowing balanced nested delimiters inside.
            var depth = 0;
            var j = start;
            var end = -1;
            while (j < template.Length)
            {
                if (string.CompareOrdinal(template, j, open, 0, open.Length) == 0)
                {
                    depth++;
                    j += open.Length;
                }
                else if (string.CompareOrdinal(template, j, close, 0, close.Length) == 0)
                {
                    depth--;
                    if (depth == 0)
                    {
                        end = j;
                        break;
                    }

                    j += close.Length;
                }
                else
                {
                    j++;
                }
            }

            if (end < 0)
            {
                throw new BuiltinErrorException($"unbalanced braces in {Strings.GoQuote(template)}");
            }

            var inner = template[(start + open.Length)..end];
            if (!TryTranslate(inner, out var translated, out var error))
            {
                throw new BuiltinErrorException("error parsing regexp: " + error);
            }

            builder.Append("(?:").Append(translated).Append(')');
            i = end + close.Length;
        }

        builder.Append("\\z");
        Regex regex;
        try
        {
            regex = new Regex(builder.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new BuiltinErrorException("error parsing regexp: " + e.Message);
        }

        return IsMatch(regex, value);
    }
}
