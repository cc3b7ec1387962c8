using BenchmarkDotNet.Attributes;
using Vigil.Segmentation.Generation;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Benchmarks;

/// <summary>Full reachability matrix of a generated cluster (5,000 pods, 1,000 policies, 100 namespaces).</summary>
[MemoryDiagnoser]
public class AnalyzeBenchmarks
{
    private ClusterModel _cluster = null!;
    private string _yaml = "";

    [Params(1000, 5000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _yaml = ClusterGenerator.Generate(namespaces: 100, pods: Pods, policies: Pods / 5, seed: 42);
        _cluster = KubernetesLoader.LoadText(_yaml, "generated.yaml").Cluster;
    }

    [Benchmark]
    public long Analyze() => KubernetesAnalyzer.Analyze(_cluster).AllowedPairCount();

    [Benchmark]
    public long LoadAndAnalyze() => KubernetesAnalyzer.Analyze(KubernetesLoader.LoadText(_yaml, "generated.yaml").Cluster).AllowedPairCount();
}
