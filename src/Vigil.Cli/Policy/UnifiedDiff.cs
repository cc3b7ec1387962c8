using System.Text;

namespace Vigil.Cli.Policy;

/// <summary>A unified diff (3 lines of context) of two texts, line by line, for <c>vigil policy fmt --diff</c>.</summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>Above this many cells the changed middle is shown as one replaced block instead of a minimal diff.</summary>
    private const long MaxCells = 4_000_000;

    private enum Op : byte
    {
        Same,
        Delete,
        Insert,
    }

    public static string Create(string name, string before, string after)
    {
        var a = SplitLines(before);
        var b = SplitLines(after);
        var edits = Edits(a, b);
        var output = new StringBuilder();
        output.Append("--- ").Append(name).Append('\n');
        output.Append("+++ ").Append(name).Append(" (formatted)\n");

        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Op == Op.Same)
            {
                i++;
                continue;
            }

            // A hunk: from Context lines before this change to Context lines after the last change that is within 2*Context.
            var start = Math.Max(0, i - Context);
            var end = i;
            var lastChange = i;
            while (end < edits.Count && end - lastChange <= 2 * Context)
            {
                if (edits[end].Op != Op.Same)
                {
                    lastChange = end;
                }

                end++;
            }

            end = Math.Min(edits.Count, lastChange + Context + 1);
            var (aStart, bStart) = (edits[start].A, edits[start].B);
            var aCount = edits.Skip(start).Take(end - start).Count(e => e.Op != Op.Insert);
            var bCount = edits.Skip(start).Take(end - start).Count(e => e.Op != Op.Delete);
            output.Append("@@ -").Append(Range(aStart, aCount)).Append(" +").Append(Range(bStart, bCount)).Append(" @@\n");
            for (var k = start; k < end; k++)
            {
                var e = edits[k];
                var (prefix, line) = e.Op switch
                {
                    Op.Same => (' ', a[e.A]),
                    Op.Delete => ('-', a[e.A]),
                    _ => ('+', b[e.B]),
                };
                output.Append(prefix).Append(line).Append('\n');
            }

            i = end;
        }

        return output.ToString();
    }

    private static string Range(int start, int count) => count == 0 ? $"{start},0" : count == 1 ? $"{start + 1}" : $"{start + 1},{count}";

    private static string[] SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private readonly record struct Edit(Op Op, int A, int B);

    private static List<Edit> Edits(string[] a, string[] b)
    {
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        var edits = new List<Edit>(a.Length + b.Length);
        for (var k = 0; k < prefix; k++)
        {
            edits.Add(new Edit(Op.Same, k, k));
        }

        var (n, m) = (a.Length - prefix - suffix, b.Length - prefix - suffix);
        if ((long)(n + 1) * (m + 1) > MaxCells)
        {
            for (var k = 0; k < n; k++)
            {
                edits.Add(new Edit(Op.Delete, prefix + k, prefix));
            }

            for (var k = 0; k < m; k++)
            {
                edits.Add(new Edit(Op.Insert, prefix + n, prefix + k));
            }
        }
        else
        {
            // Longest common subsequence of the changed middle, then walk it forwards.
            var lcs = new int[n + 1, m + 1];
            for (var x = n - 1; x >= 0; x--)
            {
                for (var y = m - 1; y >= 0; y--)
                {
                    lcs[x, y] = a[prefix + x] == b[prefix + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                }
            }

            var (i, j) = (0, 0);
            while (i < n || j < m)
            {
                if (i < n && j < m && a[prefix + i] == b[prefix + j])
                {
                    edits.Add(new Edit(Op.Same, prefix + i++, prefix + j++));
                }
                else if (i < n && (j == m || lcs[i + 1, j] >= lcs[i, j + 1]))
                {
                    edits.Add(new Edit(Op.Delete, prefix + i++, prefix + j));
                }
                else
                {
                    edits.Add(new Edit(Op.Insert, prefix + i, prefix + j++));
                }
            }
        }

        for (var k = 0; k < suffix; k++)
        {
            edits.Add(new Edit(Op.Same, a.Length - suffix + k, b.Length - suffix + k));
        }

        return edits;
    }
}
