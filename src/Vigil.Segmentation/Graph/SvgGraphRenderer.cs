using System.Globalization;
using System.Security;
using System.Text;
using Vigil.Segmentation.Model;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Graph;

/// <summary>
/// Draws segments (host groups, or pods aggregated by workload) and the allowed flows between them as an SVG:
/// left-to-right layers following the direction of traffic, boxes coloured by sensitivity, one labelled arrow per
/// allowed connection.
/// </summary>
public static class SvgGraphRenderer
{
    private const int NodeWidth = 210;
    private const int NodeHeight = 58;
    private const int LayerGap = 150;
    private const int RowGap = 44;
    private const int Margin = 40;
    private const int TitleHeight = 60;

    /// <summary>Most boxes drawn per picture before pods are aggregated per namespace.</summary>
    public const int MaxNodes = 30;

    private static readonly (string Fill, string Stroke)[] Colors =
    [
        ("#eef1f4", "#7f8c8d"), // none
        ("#e3f4e8", "#27ae60"), // low
        ("#fdf5d8", "#d4a017"), // medium
        ("#fde8d7", "#e67e22"), // high
        ("#fbdcd9", "#c0392b"), // critical
    ];

    internal sealed record Node(string Name, string Subtitle, int Sensitivity);

    internal sealed record Edge(int From, int To, PortSet Ports);

    /// <summary>Aggregates the matrix into nodes and edges (pods by workload; the outside world as one node).</summary>
    internal static (List<Node> Nodes, List<Edge> Edges) Build(ReachabilityMatrix matrix)
    {
        var nodeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new List<Node>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var sens = new Dictionary<string, int>(StringComparer.Ordinal);
        var endpointNode = new int[matrix.Endpoints.Count];
        // Readable at a glance: beyond MaxNodes workloads, pods are drawn per namespace instead.
        var byNamespace = matrix.Endpoints.Select(e => e.Workload).Distinct(StringComparer.Ordinal).Count() > MaxNodes;
        string Key(Endpoint e) => byNamespace && e.Kind == EndpointKind.Pod ? "namespace " + e.Namespace : e.Workload;
        foreach (var e in matrix.Endpoints)
        {
            counts[Key(e)] = counts.GetValueOrDefault(Key(e)) + 1;
            sens[Key(e)] = Math.Max(sens.GetValueOrDefault(Key(e)), e.Sensitivity);
        }
        for (var i = 0; i < matrix.Endpoints.Count; i++)
        {
            var e = matrix.Endpoints[i];
            if (!nodeIndex.TryGetValue(Key(e), out var idx))
            {
                idx = nodes.Count;
                nodeIndex[Key(e)] = idx;
                var subtitle = e.Kind == EndpointKind.Group
                    ? $"{e.Group!.Hosts.Count} host(s){(e.Group.Cidrs.Count > 0 ? ", " + string.Join(", ", e.Group.Cidrs) : "")}"
                    : $"{counts[Key(e)]} pod(s)";
                nodes.Add(new Node(Key(e), $"{subtitle} · {SensitivityName(sens[Key(e)])}", sens[Key(e)]));
            }
            endpointNode[i] = idx;
        }
        var edgePorts = new Dictionary<(int, int), PortSet>();
        for (var s = 0; s < matrix.Endpoints.Count; s++)
        {
            for (var d = 0; d < matrix.Endpoints.Count; d++)
            {
                if (s == d || endpointNode[s] == endpointNode[d]) continue;
                var p = matrix.Allowed(s, d);
                if (p.IsEmpty) continue;
                var key = (endpointNode[s], endpointNode[d]);
                edgePorts[key] = edgePorts.TryGetValue(key, out var old) ? old.Union(p) : p;
            }
        }
        int World()
        {
            if (!nodeIndex.TryGetValue("(world)", out var w))
            {
                w = nodes.Count;
                nodeIndex["(world)"] = w;
                nodes.Add(new Node("(world)", "addresses outside", 0));
            }
            return w;
        }
        for (var i = 0; i < matrix.Endpoints.Count; i++)
        {
            foreach (var x in matrix.EgressToWorld[matrix.ClassOf[i]])
            {
                var key = (endpointNode[i], World());
                edgePorts[key] = edgePorts.TryGetValue(key, out var old) ? old.Union(x.Ports) : x.Ports;
            }
            foreach (var x in matrix.IngressFromWorld[matrix.ClassOf[i]])
            {
                var key = (World(), endpointNode[i]);
                edgePorts[key] = edgePorts.TryGetValue(key, out var old) ? old.Union(x.Ports) : x.Ports;
            }
        }
        var edges = edgePorts.Select(kv => new Edge(kv.Key.Item1, kv.Key.Item2, kv.Value)).OrderBy(e => e.From).ThenBy(e => e.To).ToList();
        return (nodes, edges);
    }

    private static string SensitivityName(int s) => HostGroups.SegmentsReader.Sensitivities[s];

    public static string Render(ReachabilityMatrix matrix, string title)
    {
        var (nodes, edges) = Build(matrix);
        if (nodes.Count > MaxNodes) return RenderMatrix(nodes, edges, title);
        var layer = Layers(nodes.Count, edges);
        var layerCount = nodes.Count == 0 ? 1 : layer.Max() + 1;
        var byLayer = Enumerable.Range(0, layerCount).Select(l => Enumerable.Range(0, nodes.Count).Where(n => layer[n] == l).ToList()).ToList();
        // Barycentre ordering: a few sweeps to reduce crossings.
        var pos = new double[nodes.Count];
        foreach (var l in byLayer) for (var i = 0; i < l.Count; i++) pos[l[i]] = i;
        for (var sweep = 0; sweep < 4; sweep++)
        {
            foreach (var l in byLayer)
            {
                var bary = l.ToDictionary(n => n, n =>
                {
                    var nb = edges.Where(e => e.To == n && layer[e.From] != layer[n]).Select(e => pos[e.From]).Concat(edges.Where(e => e.From == n && layer[e.To] != layer[n]).Select(e => pos[e.To])).ToList();
                    return nb.Count == 0 ? pos[n] : nb.Average();
                });
                l.Sort((a, b) => bary[a] != bary[b] ? bary[a].CompareTo(bary[b]) : string.CompareOrdinal(nodes[a].Name, nodes[b].Name));
                for (var i = 0; i < l.Count; i++) pos[l[i]] = i;
            }
        }
        var maxRows = byLayer.Max(l => l.Count);
        var longEdges = edges.Count(e => layer[e.To] > layer[e.From] + 1);
        var backEdges = edges.Count(e => layer[e.To] <= layer[e.From]);
        var topPad = backEdges > 0 ? 30 + (backEdges * 22) : 0;
        var height = TitleHeight + Margin + topPad + (maxRows * (NodeHeight + RowGap)) + 90 + (longEdges * 34);
        var width = (2 * Margin) + (layerCount * NodeWidth) + ((layerCount - 1) * LayerGap);
        width = Math.Max(width, 640);
        var x = new double[nodes.Count];
        var y = new double[nodes.Count];
        for (var l = 0; l < layerCount; l++)
        {
            var column = byLayer[l];
            var colHeight = (column.Count * NodeHeight) + ((column.Count - 1) * RowGap);
            var top = TitleHeight + Margin + topPad + (((maxRows * (NodeHeight + RowGap)) - RowGap - colHeight) / 2.0);
            for (var i = 0; i < column.Count; i++)
            {
                x[column[i]] = Margin + (l * (NodeWidth + LayerGap));
                y[column[i]] = top + (i * (NodeHeight + RowGap));
            }
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#34495e\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"36\" font-size=\"20\" font-weight=\"bold\" fill=\"#2c3e50\">{Esc(title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"56\" font-size=\"12\" fill=\"#566573\">{nodes.Count} segments, {edges.Count} allowed flows; arrows point from the side that opens the connection. Everything else is denied.</text>\n");

        var labels = new StringBuilder();
        var edgeIndex = 0;
        var longIndex = 0;
        var backIndex = 0;
        foreach (var e in edges)
        {
            double x1 = x[e.From] + NodeWidth, y1 = y[e.From] + (NodeHeight / 2.0);
            double x2 = x[e.To], y2 = y[e.To] + (NodeHeight / 2.0);
            string path;
            double lx, ly;
            if (layer[e.To] > layer[e.From] + 1)
            {
                // Skips a layer: arch below the boxes so the arrow never crosses a box.
                longIndex++;
                x1 = x[e.From] + (NodeWidth * 0.6); y1 = y[e.From] + NodeHeight;
                x2 = x[e.To] + (NodeWidth * 0.4); y2 = y[e.To] + NodeHeight;
                var drop = Math.Max(y1, y2) + 30 + (longIndex * 34);
                path = F($"M {x1} {y1} C {x1} {drop}, {x2} {drop}, {x2} {y2}");
                lx = (x1 + x2) / 2;
                ly = y1 + ((drop - y1) * 0.75);
            }
            else if (layer[e.To] > layer[e.From])
            {
                var dx = (x2 - x1) / 2;
                path = F($"M {x1} {y1} C {x1 + dx} {y1}, {x2 - dx} {y2}, {x2} {y2}");
                lx = (x1 + x2) / 2;
                ly = ((y1 + y2) / 2) + ((edgeIndex % 3) - 1) * 4;
            }
            else
            {
                // Backward or same-layer edge: leave from the top of the source and enter the top of the target, arching above.
                x1 = x[e.From] + (NodeWidth * 0.35); y1 = y[e.From];
                x2 = x[e.To] + (NodeWidth * 0.65); y2 = y[e.To];
                backIndex++;
                var lift = Math.Min(y1, y2) - 20 - (backIndex * 22);
                path = F($"M {x1} {y1} C {x1} {lift}, {x2} {lift}, {x2} {y2}");
                lx = (x1 + x2) / 2;
                ly = lift + 8;
            }
            var color = e.To < nodes.Count && nodes[e.To].Sensitivity >= 3 ? "#c0392b" : "#34495e";
            sb.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>\n");
            var text = PortLabel(e.Ports);
            var w = (text.Length * 7.0) + 12;
            labels.Append(F($"<rect x=\"{lx - (w / 2)}\" y=\"{ly - 11}\" width=\"{w}\" height=\"18\" rx=\"4\" fill=\"#ffffff\" stroke=\"#bdc3c7\"/>\n"));
            labels.Append(F($"<text x=\"{lx}\" y=\"{ly + 3}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#2c3e50\">")).Append(Esc(text)).Append("</text>\n");
            edgeIndex++;
        }
        for (var n = 0; n < nodes.Count; n++)
        {
            var (fill, stroke) = Colors[Math.Clamp(nodes[n].Sensitivity, 0, 4)];
            sb.Append(F($"<rect x=\"{x[n]}\" y=\"{y[n]}\" width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>\n"));
            sb.Append(F($"<text x=\"{x[n] + (NodeWidth / 2.0)}\" y=\"{y[n] + 24}\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#1b2631\">")).Append(Esc(Trim(nodes[n].Name, 26))).Append("</text>\n");
            sb.Append(F($"<text x=\"{x[n] + (NodeWidth / 2.0)}\" y=\"{y[n] + 44}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#566573\">")).Append(Esc(Trim(nodes[n].Subtitle, 34))).Append("</text>\n");
        }
        sb.Append(labels);
        // Legend.
        var ly0 = height - 40;
        sb.Append(F($"<text x=\"{Margin}\" y=\"{ly0 + 14}\" font-size=\"12\" fill=\"#2c3e50\">sensitivity:</text>\n"));
        for (var s = 0; s < Colors.Length; s++)
        {
            var lx0 = Margin + 90 + (s * 100);
            sb.Append(F($"<rect x=\"{lx0}\" y=\"{ly0}\" width=\"18\" height=\"18\" rx=\"3\" fill=\"{Colors[s].Fill}\" stroke=\"{Colors[s].Stroke}\" stroke-width=\"2\"/>\n"));
            sb.Append(F($"<text x=\"{lx0 + 24}\" y=\"{ly0 + 14}\" font-size=\"12\" fill=\"#2c3e50\">{SensitivityName(s)}</text>\n"));
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Too many segments for boxes and arrows: a source × destination grid stays readable at a glance.</summary>
    private static string RenderMatrix(List<Node> nodes, List<Edge> edges, string title)
    {
        var n = nodes.Count;
        var cell = Math.Clamp(1400 / n, 8, 22);
        var labelWidth = (Math.Min(nodes.Max(x => x.Name.Length), 30) * (cell * 0.62)) + 16;
        var gridX = Margin + labelWidth;
        var gridY = TitleHeight + Margin + labelWidth;
        var width = (int)(gridX + (n * cell) + Margin + 200);
        var height = (int)(gridY + (n * cell) + Margin + 40);
        var font = Math.Max(7, cell - 3);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"36\" font-size=\"20\" font-weight=\"bold\" fill=\"#2c3e50\">{Esc(title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin}\" y=\"56\" font-size=\"12\" fill=\"#566573\">{n} segments, {edges.Count} allowed flows. Row = source, column = destination; a coloured cell is an allowed connection.</text>\n");
        for (var i = 0; i < n; i++)
        {
            var (fill, stroke) = Colors[Math.Clamp(nodes[i].Sensitivity, 0, 4)];
            sb.Append(F($"<text x=\"{gridX - 6}\" y=\"{gridY + (i * cell) + (cell * 0.75)}\" font-size=\"{font}\" text-anchor=\"end\" fill=\"#1b2631\">")).Append(Esc(Trim(nodes[i].Name, 30))).Append("</text>\n");
            var cx = gridX + (i * cell) + (cell * 0.75);
            sb.Append(F($"<text x=\"{cx}\" y=\"{gridY - 6}\" font-size=\"{font}\" transform=\"rotate(-90 {cx} {gridY - 6})\" fill=\"#1b2631\">")).Append(Esc(Trim(nodes[i].Name, 30))).Append("</text>\n");
            sb.Append(F($"<rect x=\"{gridX + (i * cell)}\" y=\"{gridY + (i * cell)}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n"));
        }
        for (var i = 0; i <= n; i++)
        {
            sb.Append(F($"<line x1=\"{gridX}\" y1=\"{gridY + (i * cell)}\" x2=\"{gridX + (n * cell)}\" y2=\"{gridY + (i * cell)}\" stroke=\"#eaecee\"/>\n"));
            sb.Append(F($"<line x1=\"{gridX + (i * cell)}\" y1=\"{gridY}\" x2=\"{gridX + (i * cell)}\" y2=\"{gridY + (n * cell)}\" stroke=\"#eaecee\"/>\n"));
        }
        foreach (var e in edges)
        {
            var color = e.Ports.IsAll ? "#c0392b" : "#2e86c1";
            sb.Append(F($"<rect x=\"{gridX + (e.To * cell) + 1}\" y=\"{gridY + (e.From * cell) + 1}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{color}\"><title>")).Append(Esc($"{nodes[e.From].Name} -> {nodes[e.To].Name}: {e.Ports}")).Append("</title></rect>\n");
        }
        var lx = gridX + (n * cell) + 20;
        sb.Append(F($"<rect x=\"{lx}\" y=\"{gridY}\" width=\"14\" height=\"14\" fill=\"#c0392b\"/><text x=\"{lx + 20}\" y=\"{gridY + 12}\" font-size=\"12\">all ports</text>\n"));
        sb.Append(F($"<rect x=\"{lx}\" y=\"{gridY + 22}\" width=\"14\" height=\"14\" fill=\"#2e86c1\"/><text x=\"{lx + 20}\" y=\"{gridY + 34}\" font-size=\"12\">some ports</text>\n"));
        sb.Append(F($"<text x=\"{lx}\" y=\"{gridY + 60}\" font-size=\"12\">diagonal: sensitivity</text>\n"));
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string PortLabel(PortSet p)
    {
        if (p.IsAll) return "all ports";
        var text = p.ToString();
        return text.Length > 40 ? text[..37] + "..." : text;
    }

    private static string Trim(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;

    private static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Longest-path layering after breaking cycles with a DFS (back edges ignored).</summary>
    private static int[] Layers(int n, List<Edge> edges)
    {
        var adj = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        foreach (var e in edges) adj[e.From].Add(e.To);
        var state = new int[n];
        var forward = new HashSet<(int, int)>();
        var order = new List<int>();
        void Dfs(int u)
        {
            state[u] = 1;
            foreach (var v in adj[u])
            {
                if (state[v] == 0) { forward.Add((u, v)); Dfs(v); }
                else if (state[v] == 2) forward.Add((u, v));
            }
            state[u] = 2;
            order.Add(u);
        }
        // Start from nodes without incoming edges so sources end up on the left.
        var indeg = new int[n];
        foreach (var e in edges) indeg[e.To]++;
        foreach (var u in Enumerable.Range(0, n).OrderBy(u => indeg[u])) if (state[u] == 0) Dfs(u);
        order.Reverse();
        var layer = new int[n];
        foreach (var u in order)
        {
            foreach (var v in adj[u])
            {
                if (forward.Contains((u, v))) layer[v] = Math.Max(layer[v], layer[u] + 1);
            }
        }
        return layer;
    }
}
