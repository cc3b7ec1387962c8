namespace Vigil.Policy.Builtins;

/// <summary>
/// regex.globs_match: whether two "regex globs" (literals, <c>.</c>, <c>[...]</c> classes, each
/// optionally followed by <c>*</c> or <c>+</c>) match at least one common string. Decided by a
/// breadth-first search over the product of the two patterns' automata (bounded by their sizes).
/// </summary>
internal static class GlobsIntersect
{
    private sealed record Token(bool Any, bool Negated, List<(int Lo, int Hi)> Ranges, bool Star);

    public static bool Match(string a, string b)
    {
        var x = Expand(Parse(a));
        var y = Expand(Parse(b));
        var seen = new HashSet<(int, int)>();
        var queue = new Queue<(int, int)>();
        void Push(int i, int j)
        {
            foreach (var ci in Closure(x, i))
            {
                foreach (var cj in Closure(y, j))
                {
                    if (seen.Add((ci, cj)))
                    {
                        queue.Enqueue((ci, cj));
                    }
                }
            }
        }

        Push(0, 0);
        while (queue.Count > 0)
        {
            var (i, j) = queue.Dequeue();
            if (i == x.Count && j == y.Count)
            {
                return true;
            }

            if (i == x.Count || j == y.Count || !Intersects(x[i], y[j]))
            {
                continue;
            }

            // Consume one character matching both tokens: a starred token may stay, or move on.
            var nextI = x[i].Star ? new[] { i, i + 1 } : [i + 1];
            var nextJ = y[j].Star ? new[] { j, j + 1 } : [j + 1];
            foreach (var ni in nextI)
            {
                foreach (var nj in nextJ)
                {
                    Push(ni, nj);
                }
            }
        }

        return false;
    }

    /// <summary>States reachable without consuming input: a starred token can be skipped.</summary>
    private static List<int> Closure(List<Token> tokens, int i)
    {
        var result = new List<int> { i };
        while (i < tokens.Count && tokens[i].Star)
        {
            i++;
            result.Add(i);
        }

        return result;
    }

    private static List<Token> Expand(List<(Token Token, char Modifier)> parsed)
    {
        var tokens = new List<Token>(parsed.Count * 2);
        foreach (var (token, modifier) in parsed)
        {
            switch (modifier)
            {
                case '*':
                    tokens.Add(token with { Star = true });
                    break;
                case '+':
                    tokens.Add(token);
                    tokens.Add(token with { Star = true });
                    break;
                default:
                    tokens.Add(token);
                    break;
            }
        }

        return tokens;
    }

    private static BuiltinErrorException Invalid(string input, int position, string message) =>
        new($"input:{input}, pos:{position}, {message}: the input provided is invalid");

    private static List<(Token, char)> Parse(string pattern)
    {
        var result = new List<(Token, char)>();
        var runes = pattern.EnumerateRunes().Select(static r => r.Value).ToArray();
        var i = 0;
        while (i < runes.Length)
        {
            var c = runes[i];
            Token token;
            switch (c)
            {
                case '.':
                    token = new Token(true, false, [], false);
                    i++;
                    break;
                case '[':
                    var start = i;
                    i++;
                    var negated = i < runes.Length && runes[i] == '^';
                    if (negated)
                    {
                        i++;
                    }

                    var ranges = new List<(int, int)>();
                    while (i < runes.Length && runes[i] != ']')
                    {
                        var lo = runes[i];
                        if (lo == '\\' && i + 1 < runes.Length)
                        {
                            i++;
                            lo = runes[i];
                        }
                        else if (lo == '[')
                        {
                            throw Invalid(pattern, i + 1, "set-open '[' inside a set");
                        }

                        var hi = lo;
                        if (i + 2 < runes.Length && runes[i + 1] == '-' && runes[i + 2] != ']')
                        {
                            hi = runes[i + 2];
                            if (hi == '\\' && i + 3 < runes.Length)
                            {
                                hi = runes[i + 3];
                                i++;
                            }

                            i += 2;
                            if (hi < lo)
                            {
                                throw Invalid(pattern, i + 1, "range with start greater than end");
                            }
                        }

                        ranges.Add((lo, hi));
                        i++;
                    }

                    if (i >= runes.Length)
                    {
                        throw Invalid(pattern, start + 1, "set-open '[' with no closing ']'");
                    }

                    if (ranges.Count == 0)
                    {
                        throw Invalid(pattern, i + 1, "empty set");
                    }

                    i++;
                    token = new Token(false, negated, ranges, false);
                    break;
                case ']':
                    throw Invalid(pattern, i + 1, "set-close ']' with no preceding '['");
                case '*' or '+':
                    throw Invalid(pattern, i + 1, $"modifier '{(char)c}' without preceding character");
                case '\\':
                    if (i + 1 >= runes.Length)
                    {
                        throw Invalid(pattern, i + 1, "escape '\\' at end of input");
                    }

                    token = new Token(false, false, [(runes[i + 1], runes[i + 1])], false);
                    i += 2;
                    break;
                default:
                    token = new Token(false, false, [(c, c)], false);
                    i++;
                    break;
            }

            var modifier = '\0';
            if (i < runes.Length && runes[i] is '*' or '+')
            {
                modifier = (char)runes[i];
                i++;
            }

            result.Add((token, modifier));
        }

        return result;
    }

    private static bool Contains(Token t, int c)
    {
        if (t.Any)
        {
            return true;
        }

        var inRanges = t.Ranges.Any(r => c >= r.Lo && c <= r.Hi);
        return t.Negated ? !inRanges : inRanges;
    }

    private static bool Intersects(Token a, Token b)
    {
        if (a.Any || b.Any)
        {
            // A negated class is non-empty in practice; a plain class always is.
            return true;
        }

        // Candidate characters: every range boundary (and neighbours) of both tokens, plus ASCII.
        var candidates = new HashSet<int>();
        foreach (var (lo, hi) in a.Ranges.Concat(b.Ranges))
        {
            candidates.Add(lo);
            candidates.Add(hi);
            candidates.Add(lo - 1);
            candidates.Add(hi + 1);
        }

        for (var c = 0; c < 128; c++)
        {
            candidates.Add(c);
        }

        return candidates.Any(c => c >= 0 && Contains(a, c) && Contains(b, c));
    }
}
