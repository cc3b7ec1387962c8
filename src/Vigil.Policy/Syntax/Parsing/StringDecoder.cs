using System.Globalization;
using System.Text;

namespace Vigil.Policy.Syntax.Parsing;

/// <summary>Decodes the inside of a double-quoted Rego string (JSON escapes; lone surrogates become U+FFFD, as in Go).</summary>
internal static class StringDecoder
{
    public static bool TryDecode(ReadOnlySpan<char> inner, bool allowBraceEscape, out string result)
    {
        var backslash = inner.IndexOf('\\');
        if (backslash < 0)
        {
            result = ReplaceLoneSurrogates(inner);
            return true;
        }

        var b = new StringBuilder(inner.Length);
        var i = 0;
        while (i < inner.Length)
        {
            var c = inner[i++];
            if (c != '\\')
            {
                b.Append(c);
                continue;
            }

            if (i >= inner.Length)
            {
                result = "";
                return false;
            }

            var e = inner[i++];
            switch (e)
            {
                case '"': b.Append('"'); break;
                case '\\': b.Append('\\'); break;
                case '/': b.Append('/'); break;
                case 'b': b.Append('\b'); break;
                case 'f': b.Append('\f'); break;
                case 'n': b.Append('\n'); break;
                case 'r': b.Append('\r'); break;
                case 't': b.Append('\t'); break;
                case '{' or '}' when allowBraceEscape: b.Append(e); break;
                case 'u':
                    if (i + 4 > inner.Length || !ushort.TryParse(inner.Slice(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        result = "";
                        return false;
                    }

                    i += 4;
                    b.Append((char)code);
                    break;
                default:
                    result = "";
                    return false;
            }
        }

        result = ReplaceLoneSurrogates(b.ToString());
        return true;
    }

    private static string ReplaceLoneSurrogates(ReadOnlySpan<char> s)
    {
        var bad = -1;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                bad = i;
                break;
            }
        }

        if (bad < 0)
        {
            return s.ToString();
        }

        var chars = s.ToArray();
        for (var i = bad; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars);
    }
}
