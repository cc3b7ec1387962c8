using BenchmarkDotNet.Attributes;
using Vigil.Segmentation.Compilers;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Generation;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Kubernetes;

namespace Vigil.Segmentation.Benchmarks;

/// <summary>Compiling per-host nftables rulesets for a growing number of groups.</summary>
[MemoryDiagnoser]
public class NftablesBenchmarks
{
    private SegmentsModel _segments = null!;

    [Params(100, 400)]
    public int Groups { get; set; }

    [GlobalSetup]
    public void Setup() => _segments = KubernetesLoader.LoadText(ClusterGenerator.Segments(Groups)).Segments!;

    [Benchmark]
    public int Compile() => NftablesCompiler.Compile(_segments, CompileMode.Enforce, new DiagnosticBag()).Sum(f => f.Content.Length);
}
