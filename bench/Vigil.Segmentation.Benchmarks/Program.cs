using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Vigil.Segmentation.Compilers;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Generation;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Benchmarks;

/// <summary>
/// <c>report</c> (default): one timed run per size with peak memory, printed as a table (used by bench/segmentation.sh).
/// <c>generate FILE</c>: writes the 5,000-pod cluster as YAML. Anything else is passed to BenchmarkDotNet (e.g. <c>--filter *Analyze*</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["generate", var path, ..])
        {
            // Writes the 5,000-pod cluster so the CLI can be timed on it: vigil segment analyze/lint/diff FILE.
            File.WriteAllText(path, ClusterGenerator.Generate(100, 5000, 1000, seed: 42));
            Console.WriteLine($"wrote {path}");
            return 0;
        }
        if (args.Length > 0 && args[0] != "report")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
            return 0;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"cores: {Environment.ProcessorCount}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| pods | policies | namespaces | load (s) | analyze (s) | classes | allowed pod pairs | peak working set (MB) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        var ok = true;
        foreach (var (pods, policies, namespaces, worst) in new[] { (500, 100, 10, false), (1000, 200, 20, false), (5000, 1000, 100, false), (5000, 1000, 100, true) })
        {
            var yaml = ClusterGenerator.Generate(namespaces, pods, policies, seed: 42, distinctPorts: worst);
            var sw = Stopwatch.StartNew();
            var load = KubernetesLoader.LoadText(yaml, "generated.yaml");
            var loadTime = sw.Elapsed.TotalSeconds;
            if (load.HasErrors) throw new InvalidOperationException(string.Join("\n", load.Diagnostics.Take(5)));
            sw.Restart();
            var matrix = KubernetesAnalyzer.Analyze(load.Cluster);
            var pairs = matrix.AllowedPairCount();
            var analyzeTime = sw.Elapsed.TotalSeconds;
            using var proc = Process.GetCurrentProcess();
            proc.Refresh();
            var peak = proc.PeakWorkingSet64 / (1024.0 * 1024);
            Console.WriteLine(string.Create(ci, $"| {pods}{(worst ? " (worst case: no two pods equivalent)" : "")} | {load.Cluster.Policies.Count} | {namespaces} | {loadTime:F2} | {analyzeTime:F2} | {matrix.ClassCount} | {pairs} | {peak:F0} |"));
            if (pods == 5000 && (loadTime + analyzeTime >= 10 || peak >= 2048)) ok = false;
        }
        Console.WriteLine();
        Console.WriteLine("| groups | hosts | nftables bytes (all hosts) | bytes per host | set elements per host (avg) | compile (ms) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var groups in new[] { 25, 50, 100, 200, 400, 800 })
        {
            var segments = KubernetesLoader.LoadText(ClusterGenerator.Segments(groups)).Segments!;
            var sw = Stopwatch.StartNew();
            var files = NftablesCompiler.Compile(segments, CompileMode.Enforce, new DiagnosticBag());
            var ms = sw.Elapsed.TotalMilliseconds;
            var bytes = files.Sum(f => (long)f.Content.Length);
            var elements = files.Average(f => f.Content.Split('\n').Count(l => l.StartsWith("\t\t\t", StringComparison.Ordinal)));
            Console.WriteLine(string.Create(ci, $"| {groups} | {files.Count} | {bytes} | {bytes / files.Count} | {elements:F1} | {ms:F0} |"));
        }
        Console.WriteLine();
        Console.WriteLine(ok ? "target met: 5,000 pods analysed (load + full matrix) in < 10 s with < 2 GB" : "TARGET MISSED for 5,000 pods");
        return ok ? 0 : 1;
    }
}
