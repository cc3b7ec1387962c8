using System.Globalization;

namespace Vigil.Server.Tests.Telemetry;

/// <summary>A scrape in Prometheus text format, read into series (name, labels, value) for assertions.</summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _series = [];

    public PrometheusText(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            string rest;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var end = ReadLabels(line, brace + 1, labels);
                rest = line[(end + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[space..].Trim();
            }

            var value = rest.Split(' ')[0];
            _series.Add((name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }
    }

    public string Text { get; }

    /// <summary>
    /// The value of the one series named <paramref name="name"/> whose labels are exactly <paramref name="labels"/> (the
    /// exporter's <c>otel_scope_*</c> labels aside); null when there is none.
    /// </summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = _series.Where(s => s.Name == name && Same(s.Labels, labels)).ToList();
        Assert.True(matches.Count <= 1, $"{matches.Count} series {name} with those labels in:\n{Text}");
        return matches.Count == 0 ? null : matches[0].Value;
    }

    /// <summary>Every series named <paramref name="name"/>.</summary>
    public IReadOnlyList<(Dictionary<string, string> Labels, double Value)> All(string name) =>
        _series.Where(s => s.Name == name).Select(s => (s.Labels, s.Value)).ToList();

    private static bool Same(Dictionary<string, string> actual, (string Key, string Value)[] expected)
    {
        var own = actual.Where(l => !l.Key.StartsWith("otel_scope_", StringComparison.Ordinal)).ToList();
        return own.Count == expected.Length && expected.All(e => actual.TryGetValue(e.Key, out var v) && v == e.Value);
    }

    private static int ReadLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length && line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            var key = line[i..eq].Trim(' ', ',');
            var value = new System.Text.StringBuilder();
            var j = eq + 2; // past ="
            while (line[j] != '"')
            {
                if (line[j] == '\\')
                {
                    j++;
                    value.Append(line[j] == 'n' ? '\n' : line[j]);
                }
                else
                {
                    value.Append(line[j]);
                }

                j++;
            }

            labels[key] = value.ToString();
            i = j + 1;
            while (i < line.Length && line[i] == ',')
            {
                i++;
            }
        }

        return i;
    }
}
