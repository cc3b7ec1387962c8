using Vigil.Segmentation.Diff;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.Diff;

public sealed class DiffTests
{
    private static ReachabilityMatrix Load(string dir) => KubernetesAnalyzer.Analyze(KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, dir)]).Cluster);

    [Fact]
    public void Diff_ProposedChange_ListsOpenedFlows()
    {
        var d = MatrixDiff.Compare(Load("cluster"), Load("cluster-proposed"));
        Assert.Empty(d.Closed);
        Assert.Contains(d.Opened, f => f.Source == "shop/api-5c4b-a" && f.Destination == "payments/ledger-db-0" && f.Ports.ToString() == "TCP 5432");
        Assert.Contains(d.Opened, f => f.Source == "payments/ledger-db-0" && f.Destination.StartsWith(MatrixDiff.World, StringComparison.Ordinal));
        Assert.Equal(3, d.Opened.Count);
        var back = MatrixDiff.Compare(Load("cluster-proposed"), Load("cluster"));
        Assert.Equal(3, back.Closed.Count);
        Assert.Empty(back.Opened);
    }

    [Fact]
    public void Diff_SameInput_IsEmpty() => Assert.True(MatrixDiff.Compare(Load("cluster"), Load("cluster")).IsEmpty);
}
