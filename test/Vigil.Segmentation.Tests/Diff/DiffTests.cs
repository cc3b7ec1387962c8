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

    [Fact]
    public void Diff_AddedAndRemovedPods_FlowsOpenAndClose()
    {
        var yaml = Support.Yaml.Pod("a", "x", "app: x") + Support.Yaml.Pod("a", "y", "app: y");
        var before = Support.Yaml.Matrix(yaml);
        var after = Support.Yaml.Matrix(yaml.Replace("name: y", "name: z", StringComparison.Ordinal) + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: p, namespace: a }
            spec: { podSelector: { matchLabels: { app: x } }, ingress: [ { ports: [ { port: 80 } ] } ] }
            """);
        var d = MatrixDiff.Compare(before, after);
        Assert.Equal(["a/z"], d.AddedEndpoints);
        Assert.Equal(["a/y"], d.RemovedEndpoints);
        Assert.Contains(d.Opened, f => f.Source == "a/z" && f.Destination == "a/x" && f.Ports.ToString() == "TCP 80");
        Assert.Contains(d.Closed, f => f.Source == "a/y" && f.Destination == "a/x" && f.Ports.IsAll);
        Assert.Contains(d.Closed, f => f.Source.StartsWith(MatrixDiff.World, StringComparison.Ordinal) && f.Destination == "a/x" && f.Ports.ToString().Contains("TCP 81-65535", StringComparison.Ordinal));
    }
}
