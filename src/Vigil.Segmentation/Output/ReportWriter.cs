using System.Text.Encodings.Web;
using System.Text.Json;
using Vigil.Segmentation.BlastRadius;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Diff;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Output;

/// <summary>Text tables and JSON for the <c>vigil segment</c> commands.</summary>
public static class ReportWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void MatrixTable(ReachabilityMatrix m, TextWriter w)
    {
        var rows = m.AllowedPairs().Select(p => (m.Endpoints[p.Src].Name, m.Endpoints[p.Dst].Name, p.Ports.ToString())).ToList();
        for (var c = 0; c < m.Endpoints.Count; c++)
        {
            var cls = m.ClassOf[c];
            foreach (var x in m.EgressToWorld[cls]) rows.Add((m.Endpoints[c].Name, MatrixDiff.World + " " + x.Block, x.Ports.ToString()));
            foreach (var x in m.IngressFromWorld[cls]) rows.Add((MatrixDiff.World + " " + x.Block, m.Endpoints[c].Name, x.Ports.ToString()));
        }
        Table(w, ["SOURCE", "DESTINATION", "PORTS"], rows.Select(r => new[] { r.Item1, r.Item2, r.Item3 }).ToList());
        var total = (long)m.Endpoints.Count * Math.Max(0, m.Endpoints.Count - 1);
        w.WriteLine($"{m.AllowedPairCount()} of {total} ordered pairs allowed; {m.Endpoints.Count} endpoints in {m.ClassCount} equivalence classes.");
    }

    /// <summary>The matrix as a grid: one row per source, one column per destination ("." = denied, "-" = itself).</summary>
    public static void MatrixGrid(ReachabilityMatrix m, TextWriter w)
    {
        var names = m.Endpoints.Select(e => e.Name).ToArray();
        var rows = new List<string[]>();
        for (var s = 0; s < names.Length; s++)
        {
            var row = new string[names.Length + 1];
            row[0] = names[s];
            for (var d = 0; d < names.Length; d++)
            {
                var p = m.Allowed(s, d);
                row[d + 1] = s == d ? "-" : p.IsEmpty ? "." : p.ToString();
            }
            rows.Add(row);
        }
        Table(w, ["FROM \\ TO", .. names], rows);
    }

    public static void MatrixJson(ReachabilityMatrix m, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, JsonOptions);
        j.WriteStartObject();
        j.WriteStartArray("endpoints");
        for (var i = 0; i < m.Endpoints.Count; i++)
        {
            var e = m.Endpoints[i];
            j.WriteStartObject();
            j.WriteString("name", e.Name);
            j.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
            j.WriteNumber("class", m.ClassOf[i]);
            j.WriteString("sensitivity", e.SensitivityName);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteNumber("classes", m.ClassCount);
        j.WriteStartArray("classMatrix");
        for (var s = 0; s < m.ClassCount; s++)
        {
            for (var d = 0; d < m.ClassCount; d++)
            {
                var id = m.ClassCell(s, d);
                if (id == 0) continue;
                j.WriteStartObject();
                j.WriteNumber("from", s);
                j.WriteNumber("to", d);
                j.WriteString("ports", m.Ports[id].ToString());
                j.WriteEndObject();
            }
        }
        j.WriteEndArray();
        j.WriteStartArray("allowed");
        foreach (var (s, d, p) in m.AllowedPairs().Take(200_000))
        {
            j.WriteStartObject();
            j.WriteString("from", m.Endpoints[s].Name);
            j.WriteString("to", m.Endpoints[d].Name);
            j.WriteStartArray("ports");
            foreach (var r in p.Ranges()) j.WriteStringValue(r.ToString());
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("external");
        for (var i = 0; i < m.Endpoints.Count; i++)
        {
            foreach (var (dir, list) in new[] { ("egress", m.EgressToWorld[m.ClassOf[i]]), ("ingress", m.IngressFromWorld[m.ClassOf[i]]) })
            {
                foreach (var x in list)
                {
                    j.WriteStartObject();
                    j.WriteString("endpoint", m.Endpoints[i].Name);
                    j.WriteString("direction", dir);
                    j.WriteString("block", x.Block.ToString());
                    j.WriteString("ports", x.Ports.ToString());
                    j.WriteString("via", x.Via);
                    j.WriteEndObject();
                }
            }
        }
        j.WriteEndArray();
        j.WriteNumber("allowedPairs", m.AllowedPairCount());
        j.WriteEndObject();
    }

    public static void Diagnostics(IEnumerable<Diagnostic> items, TextWriter w)
    {
        foreach (var d in items) w.WriteLine(d.ToString());
    }

    public static void DiagnosticsJson(IReadOnlyList<Diagnostic> items, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, JsonOptions);
        j.WriteStartArray();
        foreach (var d in items)
        {
            j.WriteStartObject();
            j.WriteString("code", d.Code);
            j.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
            j.WriteString("message", d.Message);
            j.WriteString("file", d.Location.File);
            j.WriteNumber("line", d.Location.Line);
            j.WriteNumber("column", d.Location.Column);
            j.WriteEndObject();
        }
        j.WriteEndArray();
    }

    public static void BlastRadius(BlastRadiusResult r, TextWriter w)
    {
        w.WriteLine($"Compromised: {string.Join(", ", r.Compromised.Select(e => e.Name))}");
        w.WriteLine($"Reaches {r.Reached.Count} of {r.TotalEndpoints - r.Compromised.Count} other endpoints: {r.Direct.Count()} directly, {r.Transitive.Count()} transitively.");
        w.WriteLine();
        var rows = r.Reached.Select((x, i) => new[]
        {
            (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), x.Endpoint.SensitivityName, x.Hops.ToString(System.Globalization.CultureInfo.InvariantCulture),
            x.Endpoint.Name, string.Join("", x.Path.Select((h, k) => (k == 0 ? h.From : "") + " -[" + h.Ports + "]-> " + h.To)),
        }).ToList();
        Table(w, ["RANK", "SENSITIVITY", "HOPS", "TARGET", "SHORTEST PATH"], rows);
        if (r.External.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Outside the cluster (exfiltration paths):");
            foreach (var x in r.External) w.WriteLine($"  {x.Block} on {x.Ports} (via {x.Via})");
        }
    }

    public static void BlastRadiusJson(BlastRadiusResult r, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, JsonOptions);
        j.WriteStartObject();
        j.WriteStartArray("compromised");
        foreach (var e in r.Compromised) j.WriteStringValue(e.Name);
        j.WriteEndArray();
        j.WriteStartArray("reached");
        foreach (var x in r.Reached)
        {
            j.WriteStartObject();
            j.WriteString("target", x.Endpoint.Name);
            j.WriteString("sensitivity", x.Endpoint.SensitivityName);
            j.WriteNumber("hops", x.Hops);
            j.WriteStartArray("path");
            foreach (var h in x.Path)
            {
                j.WriteStartObject();
                j.WriteString("from", h.From);
                j.WriteString("to", h.To);
                j.WriteString("ports", h.Ports.ToString());
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("external");
        foreach (var x in r.External)
        {
            j.WriteStartObject();
            j.WriteString("block", x.Block.ToString());
            j.WriteString("ports", x.Ports.ToString());
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }

    public static void Diff(DiffResult d, TextWriter w)
    {
        foreach (var e in d.AddedEndpoints) w.WriteLine($"+ endpoint {e}");
        foreach (var e in d.RemovedEndpoints) w.WriteLine($"- endpoint {e}");
        w.WriteLine($"Opened ({d.Opened.Count}):");
        foreach (var f in d.Opened) w.WriteLine($"  + {f.Source} -> {f.Destination}: {f.Ports}");
        w.WriteLine($"Closed ({d.Closed.Count}):");
        foreach (var f in d.Closed) w.WriteLine($"  - {f.Source} -> {f.Destination}: {f.Ports}");
    }

    public static void DiffJson(DiffResult d, Stream stream)
    {
        using var j = new Utf8JsonWriter(stream, JsonOptions);
        j.WriteStartObject();
        foreach (var (name, list) in new[] { ("opened", d.Opened), ("closed", d.Closed) })
        {
            j.WriteStartArray(name);
            foreach (var f in list)
            {
                j.WriteStartObject();
                j.WriteString("from", f.Source);
                j.WriteString("to", f.Destination);
                j.WriteString("ports", f.Ports.ToString());
                j.WriteEndObject();
            }
            j.WriteEndArray();
        }
        j.WriteEndObject();
    }

    public static void Table(TextWriter w, string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        w.WriteLine(string.Join("  ", header.Select((h, i) => i == header.Length - 1 ? h : h.PadRight(widths[i]))));
        foreach (var r in rows) w.WriteLine(string.Join("  ", r.Select((c, i) => i == r.Length - 1 ? c : c.PadRight(widths[i]))));
    }
}
