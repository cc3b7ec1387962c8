using System.Xml.Linq;
using Vigil.Segmentation.Generation;
using Vigil.Segmentation.Graph;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.Graph;

public sealed class SvgGraphRendererTests
{
    [Fact]
    public void Render_Cluster_AggregatesPodsByWorkloadWithWorldNode()
    {
        var m = KubernetesAnalyzer.Analyze(KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, "cluster")]).Cluster);
        var (nodes, edges) = SvgGraphRenderer.Build(m);
        Assert.Contains(nodes, n => n.Name == "shop/frontend" && n.Subtitle.StartsWith("2 pod(s)", StringComparison.Ordinal));
        Assert.Contains(nodes, n => n.Name == "(world)");
        var frontend = nodes.FindIndex(n => n.Name == "shop/frontend");
        var api = nodes.FindIndex(n => n.Name == "shop/api");
        Assert.Contains(edges, e => e.From == frontend && e.To == api && e.Ports.ToString() == "TCP 9000");
        XDocument.Parse(SvgGraphRenderer.Render(m, "t <&> \"quoted\""));
    }

    [Fact]
    public void Render_ManySegments_SwitchesToGrid()
    {
        var m = HostGroupAnalyzer.Analyze(KubernetesLoader.LoadText(ClusterGenerator.Segments(SvgGraphRenderer.MaxNodes + 5)).Segments!);
        var svg = SvgGraphRenderer.Render(m, "many");
        var doc = XDocument.Parse(svg);
        Assert.Contains("Row = source", svg, StringComparison.Ordinal);
        // One cell per allowed flow, each with a tooltip naming it.
        var flows = m.AllowedPairs().Count();
        Assert.Equal(flows, doc.Descendants().Count(e => e.Name.LocalName == "title"));
    }
}
