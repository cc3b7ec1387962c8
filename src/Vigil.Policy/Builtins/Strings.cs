using System.Globalization;
using System.Numerics;
using System.Text;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// String builtins. Positions and lengths count Unicode code points (Go runes), not UTF-16 units.
/// </summary>
internal static class Strings
{
    public static void Register(BuiltinTable table)
    {
        table.Add("concat", [T.String, T.Array | T.Set], T.String, static (_, a) => Concat(a));
        table.Add("contains", [T.String, T.String], T.Boolean, static (_, a) => Value.From(Args.String(a, 0).Contains(Args.String(a, 1), StringComparison.Ordinal)));
        table.Add("startswith", [T.String, T.String], T.Boolean, static (_, a) => Value.From(Args.String(a, 0).StartsWith(Args.String(a, 1), StringComparison.Ordinal)));
        table.Add("endswith", [T.String, T.String], T.Boolean, static (_, a) => Value.From(Args.String(a, 0).EndsWith(Args.String(a, 1), StringComparison.Ordinal)));
        table.Add("format_int", [T.Number, T.Number], T.String, static (_, a) => FormatInt(a));
        table.Add("indexof", [T.String, T.String], T.Number, static (_, a) => IndexOf(Args.String(a, 0), Args.String(a, 1)));
        table.Add("indexof_n", [T.String, T.String], T.Array, static (_, a) => IndexOfN(Args.String(a, 0), Args.String(a, 1)));
        table.Add("lower", [T.String], T.String, static (_, a) => Value.From(Args.String(a, 0).ToLowerInvariant()));
        table.Add("upper", [T.String], T.String, static (_, a) => Value.From(Args.String(a, 0).ToUpperInvariant()));
        table.Add("replace", [T.String, T.String, T.String], T.String, static (_, a) => Value.From(ReplaceAll(Args.String(a, 0), [(Args.String(a, 1), Args.String(a, 2))])));
        table.Add("strings.replace_n", [T.Object, T.String], T.String, static (_, a) => ReplaceN(a));
        table.Add("split", [T.String, T.String], T.Array, static (_, a) => CoreArgs.StringArray(Split(Args.String(a, 0), Args.String(a, 1), -1)));
        table.Add("strings.split_n", [T.String, T.String, T.Number], T.Array, static (_, a) =>
        {
            var s = Args.String(a, 0);
            var sep = Args.String(a, 1);
            var n = CoreArgs.Int(a, 2);

            // OPA: the first n parts for n > 0, the last |n| parts for n < 0, none for 0.
            var parts = Split(s, sep, -1);
            var take = (int)Math.Min(Math.Abs((decimal)n), parts.Count);
            return CoreArgs.StringArray(n >= 0 ? parts.Take(take) : parts.Skip(parts.Count - take));
        });
        table.Add("substring", [T.String, T.Number, T.Number], T.String, static (_, a) => Substring(Args.String(a, 0), CoreArgs.Int(a, 1), CoreArgs.Int(a, 2)));
        table.Add("trim", [T.String, T.String], T.String, static (_, a) => Value.From(TrimCutset(Args.String(a, 0), Args.String(a, 1), left: true, right: true)));
        table.Add("trim_left", [T.String, T.String], T.String, static (_, a) => Value.From(TrimCutset(Args.String(a, 0), Args.String(a, 1), left: true, right: false)));
        table.Add("trim_right", [T.String, T.String], T.String, static (_, a) => Value.From(TrimCutset(Args.String(a, 0), Args.String(a, 1), left: false, right: true)));
        table.Add("trim_prefix", [T.String, T.String], T.String, static (_, a) =>
        {
            var s = Args.String(a, 0);
            var p = Args.String(a, 1);
            return Value.From(s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s);
        });
        table.Add("trim_suffix", [T.String, T.String], T.String, static (_, a) =>
        {
            var s = Args.String(a, 0);
            var p = Args.String(a, 1);
            return Value.From(s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s);
        });
        table.Add("trim_space", [T.String], T.String, static (_, a) => Value.From(TrimSpace(Args.String(a, 0))));
        table.Add("strings.reverse", [T.String], T.String, static (_, a) => Value.From(Reverse(Args.String(a, 0))));
        table.Add("strings.count", [T.String, T.String], T.Number, static (_, a) => NumberValue.Create(Count(Args.String(a, 0), Args.String(a, 1))));
        table.Add("strings.any_prefix_match", [T.String | T.Array | T.Set, T.String | T.Array | T.Set], T.Boolean, static (_, a) =>
            Value.From(AnyMatch(StringsOperand(a, 0), StringsOperand(a, 1), prefix: true)));
        table.Add("strings.any_suffix_match", [T.String | T.Array | T.Set, T.String | T.Array | T.Set], T.Boolean, static (_, a) =>
            Value.From(AnyMatch(StringsOperand(a, 0), StringsOperand(a, 1), prefix: false)));
        table.Add("internal.template_string", [T.Array], T.String, static (_, a) => TemplateString(Args.Array(a, 0)));
    }

    public static int RuneCount(string s)
    {
        var count = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static Value Concat(ReadOnlySpan<Value> args)
    {
        var separator = Args.String(args, 0);
        IReadOnlyCollection<Value> items = args[1] switch
        {
            ArrayValue a => a,
            SetValue s => s,
            _ => throw new BuiltinTypeException(2, "one of {set, array}", args[1]),
        };
        var builder = new StringBuilder();
        var first = true;
        foreach (var item in items)
        {
            if (item is not StringValue s)
            {
                throw CoreArgs.ElementError(2, args[1], item, "string");
            }

            if (!first)
            {
                builder.Append(separator);
            }

            first = false;
            builder.Append(s.Value);
        }

        return Value.From(builder.ToString());
    }

    private static Value FormatInt(ReadOnlySpan<Value> args)
    {
        var input = Args.Number(args, 0);
        var baseValue = Args.Number(args, 1);
        if (!baseValue.TryGetInt64(out var radix) || baseValue.Representation == NumberRepresentation.Float || radix is not (2 or 8 or 10 or 16))
        {
            throw new BuiltinTypeException("operand 2 must be one of {2, 8, 10, 16}");
        }

        var i = input.TryGetExactInteger(out var exact) ? exact : input.ToBigFloat().Truncate();
        var negative = i.Sign < 0;
        var magnitude = BigInteger.Abs(i);
        string digits;
        if (radix == 10)
        {
            digits = magnitude.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            var sb = new StringBuilder();
            if (magnitude.IsZero)
            {
                sb.Append('0');
            }

            while (!magnitude.IsZero)
            {
                magnitude = BigInteger.DivRem(magnitude, radix, out var rem);
                sb.Insert(0, "0123456789abcdef"[(int)rem]);
            }

            digits = sb.ToString();
        }

        return Value.From(negative ? "-" + digits : digits);
    }

    private static int[] ToRunes(string s)
    {
        var runes = new List<int>(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            runes.Add(r.Value);
        }

        return [.. runes];
    }

    private static NumberValue IndexOf(string s, string search)
    {
        if (search.Length == 0)
        {
            throw new BuiltinErrorException("empty search character");
        }

        var index = s.IndexOf(search, StringComparison.Ordinal);
        return NumberValue.Create(index < 0 ? -1 : RuneCount(s[..index]));
    }

    private static ArrayValue IndexOfN(string s, string search)
    {
        if (search.Length == 0)
        {
            throw new BuiltinErrorException("empty search character");
        }

        var baseRunes = ToRunes(s);
        var searchRunes = ToRunes(search);
        var result = new List<Value>();
        for (var i = 0; i + searchRunes.Length <= baseRunes.Length; i++)
        {
            if (baseRunes.AsSpan(i, searchRunes.Length).SequenceEqual(searchRunes))
            {
                result.Add(NumberValue.Create(i));
            }
        }

        return ArrayValue.Create(result);
    }

    /// <summary>Go's strings.NewReplacer semantics: at each position the first (old, new) pair that matches wins.</summary>
    private static string ReplaceAll(string s, (string Old, string New)[] pairs)
    {
        if (pairs.Length == 1 && pairs[0].Old.Length > 0)
        {
            var growth = pairs[0].New.Length - pairs[0].Old.Length;
            if (growth > 0)
            {
                CoreArgs.CheckResultLength(s.Length + (Count(s, pairs[0].Old) * (long)growth));
            }

            return s.Replace(pairs[0].Old, pairs[0].New, StringComparison.Ordinal);
        }

        var builder = new StringBuilder(s.Length);
        var i = 0;
        var emptyNew = pairs.FirstOrDefault(static p => p.Old.Length == 0).New;
        var hasEmpty = pairs.Any(static p => p.Old.Length == 0);
        while (i <= s.Length)
        {
            CoreArgs.CheckResultLength(builder.Length);
            var matched = false;
            foreach (var (old, replacement) in pairs)
            {
                if (old.Length > 0 && string.CompareOrdinal(s, i, old, 0, old.Length) == 0 && i + old.Length <= s.Length)
                {
                    builder.Append(replacement);
                    i += old.Length;
                    matched = true;
                    break;
                }
            }

            if (matched)
            {
                continue;
            }

            if (hasEmpty)
            {
                builder.Append(emptyNew);
            }

            if (i == s.Length)
            {
                break;
            }

            var width = char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? 2 : 1;
            builder.Append(s, i, width);
            i += width;
        }

        return builder.ToString();
    }

    private static Value ReplaceN(ReadOnlySpan<Value> args)
    {
        var patterns = Args.Object(args, 0);
        var s = Args.String(args, 1);
        var pairs = new List<(string, string)>(patterns.Count);
        foreach (var (key, value) in patterns.Sorted)
        {
            if (key is not StringValue k)
            {
                throw new BuiltinTypeException("operand 1 non-string key found in pattern object");
            }

            if (value is not StringValue v)
            {
                throw new BuiltinTypeException("operand 1 non-string value found in pattern object");
            }

            pairs.Add((k.Value, v.Value));
        }

        return Value.From(pairs.Count == 0 ? s : ReplaceAll(s, [.. pairs]));
    }

    /// <summary>Go's strings.SplitN (n &lt; 0: all parts).</summary>
    public static List<string> Split(string s, string separator, int n)
    {
        var parts = new List<string>();
        if (n == 0)
        {
            return parts;
        }

        if (separator.Length == 0)
        {
            var runes = new List<string>();
            var i = 0;
            while (i < s.Length)
            {
                if (n > 0 && runes.Count == n - 1)
                {
                    runes.Add(s[i..]);
                    return runes;
                }

                var width = char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? 2 : 1;
                runes.Add(s.Substring(i, width));
                i += width;
            }

            return runes;
        }

        var start = 0;
        while (n < 0 || parts.Count < n - 1)
        {
            var index = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            parts.Add(s[start..index]);
            start = index + separator.Length;
        }

        parts.Add(s[start..]);
        return parts;
    }

    private static Value Substring(string s, long start, long length)
    {
        if (start < 0)
        {
            throw new BuiltinErrorException("negative offset");
        }

        var runes = ToRunes(s);
        if (start >= runes.Length)
        {
            return Value.From(string.Empty);
        }

        var end = length < 0 ? runes.Length : (int)Math.Min(runes.Length, start + length);
        return Value.From(FromRunes(runes.AsSpan((int)start, end - (int)start)));
    }

    private static string FromRunes(ReadOnlySpan<int> runes)
    {
        var builder = new StringBuilder(runes.Length);
        foreach (var r in runes)
        {
            builder.Append(char.ConvertFromUtf32(r));
        }

        return builder.ToString();
    }

    public static string TruncateRunes(string s, int count)
    {
        var runes = ToRunes(s);
        return runes.Length <= count ? s : FromRunes(runes.AsSpan(0, Math.Max(count, 0)));
    }

    private static string TrimCutset(string s, string cutset, bool left, bool right)
    {
        if (s.Length == 0 || cutset.Length == 0)
        {
            return s;
        }

        var set = new HashSet<int>(ToRunes(cutset));
        var runes = ToRunes(s);
        var from = 0;
        var to = runes.Length;
        if (left)
        {
            while (from < to && set.Contains(runes[from]))
            {
                from++;
            }
        }

        if (right)
        {
            while (to > from && set.Contains(runes[to - 1]))
            {
                to--;
            }
        }

        return from == 0 && to == runes.Length ? s : FromRunes(runes.AsSpan(from, to - from));
    }

    private static string TrimSpace(string s)
    {
        var runes = ToRunes(s);
        var from = 0;
        var to = runes.Length;
        while (from < to && Rune.IsWhiteSpace(new Rune(runes[from])))
        {
            from++;
        }

        while (to > from && Rune.IsWhiteSpace(new Rune(runes[to - 1])))
        {
            to--;
        }

        return from == 0 && to == runes.Length ? s : FromRunes(runes.AsSpan(from, to - from));
    }

    private static string Reverse(string s)
    {
        var runes = ToRunes(s);
        System.Array.Reverse(runes);
        return FromRunes(runes);
    }

    private static long Count(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return RuneCount(s) + 1;
        }

        long count = 0;
        var i = 0;
        while ((i = s.IndexOf(sub, i, StringComparison.Ordinal)) >= 0)
        {
            count++;
            i += sub.Length;
        }

        return count;
    }

    private static List<string> StringsOperand(ReadOnlySpan<Value> args, int i) => args[i] switch
    {
        StringValue s => [s.Value],
        ArrayValue or SetValue => CoreArgs.StringSlice(args, i),
        _ => throw new BuiltinTypeException(i + 1, "one of {string, set, array}", args[i]),
    };

    private static bool AnyMatch(List<string> strings, List<string> affixes, bool prefix)
    {
        foreach (var s in strings)
        {
            foreach (var affix in affixes)
            {
                if (prefix ? s.StartsWith(affix, StringComparison.Ordinal) : s.EndsWith(affix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Value TemplateString(ArrayValue parts)
    {
        var builder = new StringBuilder();
        foreach (var part in parts.AsSpan())
        {
            switch (part)
            {
                case StringValue s:
                    builder.Append(s.Value);
                    break;
                case SetValue set:
                    if (set.Count == 0)
                    {
                        builder.Append("<undefined>");
                    }
                    else if (set.Count > 1)
                    {
                        throw new BuiltinErrorException("template-strings must not produce multiple outputs");
                    }
                    else
                    {
                        var only = set.Sorted[0];
                        builder.Append(only is StringValue os ? os.Value : only.ToString());
                    }

                    break;
                case ArrayValue or ObjectValue:
                    throw new BuiltinErrorException("illegal argument type: " + part.TypeName);
                default:
                    builder.Append(part.ToString());
                    break;
            }
        }

        return Value.From(builder.ToString());
    }

    /// <summary>Go's strconv.Quote.</summary>
    public static string GoQuote(string s)
    {
        var builder = new StringBuilder(s.Length + 2);
        builder.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            var r = rune.Value;
            switch (r)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (r < 0x20 || r == 0x7f)
                    {
                        builder.Append("\\x").Append(r.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (r >= 0x80 && (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
                    {
                        builder.Append(r < 0x10000 ? "\\u" + r.ToString("x4", CultureInfo.InvariantCulture) : "\\U" + r.ToString("x8", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        builder.Append('"');
        return builder.ToString();
    }
}
