using Vigil.Segmentation.BlastRadius;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.BlastRadius;

public sealed class BlastRadiusTests
{
    [Fact]
    public void BlastRadius_Frontend_ReachesDatabaseTransitivelyRankedFirst()
    {
        var r = KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, "cluster-proposed")]);
        var m = KubernetesAnalyzer.Analyze(r.Cluster);
        var start = BlastRadiusAnalyzer.Resolve(m, "shop/frontend");
        Assert.Equal(2, start.Count);
        var b = BlastRadiusAnalyzer.Analyze(m, start);
        Assert.Equal("payments/ledger-db-0", b.Reached[0].Endpoint.Name);
        Assert.Equal(2, b.Reached[0].Hops);
        Assert.Equal(["shop/api-5c4b-a", "payments/ledger-db-0"], b.Reached[0].Path.Select(h => h.To));
        Assert.Equal("TCP 5432", b.Reached[0].Path[1].Ports.ToString());
        Assert.Single(b.Direct);
        Assert.DoesNotContain(b.Reached, x => x.Endpoint.Name == "monitoring/prometheus-0");
        Assert.Contains(b.External, x => x.Block.ToString() == "0.0.0.0/0");
    }

    [Fact]
    public void BlastRadius_Segments_WebReachesDbInTwoHops()
    {
        var r = KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, "segments.yaml")]);
        var m = HostGroupAnalyzer.Analyze(r.Segments!);
        var b = BlastRadiusAnalyzer.Analyze(m, BlastRadiusAnalyzer.Resolve(m, "web"));
        Assert.Equal(["db", "app"], b.Reached.Select(x => x.Endpoint.Name));
        Assert.Equal([2, 1], b.Reached.Select(x => x.Hops));
        var ops = BlastRadiusAnalyzer.Analyze(m, BlastRadiusAnalyzer.Resolve(m, "db"));
        Assert.Empty(ops.Reached);
    }
}
