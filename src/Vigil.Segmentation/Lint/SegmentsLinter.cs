using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Lint;

/// <summary>Lints a segments file: overlapping groups, shadowed flows, unused groups, wide port ranges.</summary>
public static class SegmentsLinter
{
    public static IReadOnlyList<Diagnostic> Lint(SegmentsModel segments)
    {
        var bag = new DiagnosticBag();
        var groups = segments.Groups;
        for (var i = 0; i < groups.Count; i++)
        {
            for (var j = i + 1; j < groups.Count; j++)
            {
                var overlap = groups[i].Networks.SelectMany(a => groups[j].Networks.Where(b => Cidr.Within(a, b) || Cidr.Within(b, a)).Select(b => (a, b))).FirstOrDefault();
                if (overlap != default)
                    bag.Warning(LintCodes.OverlappingGroups, $"groups {groups[i].Name} and {groups[j].Name} overlap ({overlap.a} / {overlap.b}); compiled rules apply the flows of both to the shared addresses", groups[j].Location);
            }
            if (groups[i].Networks.Any(n => n.PrefixLength == 0))
                bag.Warning(LintCodes.FlowWithEverything, $"group {groups[i].Name} contains every address (/0)", groups[i].Location);
            if (!segments.Flows.Any(f => f.From.Contains(groups[i].Name) || f.To.Contains(groups[i].Name)))
                bag.Add(new Diagnostic(LintCodes.UnusedGroup, DiagnosticSeverity.Info, $"group {groups[i].Name} appears in no flow: its hosts accept and open no connection", groups[i].Location));
        }
        foreach (var f in segments.Flows)
        {
            var wide = f.Ports.Ranges().Where(r => r.Last - r.First + 1 > 1024).ToList();
            if (wide.Count > 0)
                bag.Warning(LintCodes.WidePortRange, $"flows[{f.Index}] allows wide port ranges ({string.Join(", ", wide)}); flows should be minimal", f.Location);
            var shadow = segments.Flows.FirstOrDefault(g => !ReferenceEquals(g, f) && f.From.All(g.From.Contains) && f.To.All(g.To.Contains) && f.Ports.IsSubsetOf(g.Ports)
                && !(g.From.All(f.From.Contains) && g.To.All(f.To.Contains) && g.Ports.IsSubsetOf(f.Ports) && g.Index > f.Index));
            if (shadow is not null)
                bag.Warning(LintCodes.ShadowedFlow, $"flows[{f.Index}] is shadowed by flows[{shadow.Index}] ({shadow.Location}); it allows nothing more", f.Location);
        }
        return [.. bag.Items.OrderBy(d => d.Location.Line).ThenBy(d => d.Code, StringComparer.Ordinal)];
    }
}
