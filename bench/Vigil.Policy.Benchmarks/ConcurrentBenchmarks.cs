using BenchmarkDotNet.Attributes;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>
/// One prepared query shared by several threads, as the gateway uses it: time per decision across all threads
/// (throughput; on a machine with N free cores it approaches the single-thread time divided by N).
/// </summary>
[MemoryDiagnoser]
public class ConcurrentBenchmarks
{
    private const int Threads = 4;
    private const int DecisionsPerThread = 50_000;

    private PreparedQuery _allow = null!;
    private Value[] _inputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _allow = ZeroTrustPolicy.Compile(services: 100).Prepare("data.authz.allow");
        _inputs = [Value.FromJson(ZeroTrustPolicy.AllowInputJson), Value.FromJson(ZeroTrustPolicy.DenyInputJson)];
    }

    [Benchmark(Description = "allow/deny, shared query, 4 threads", OperationsPerInvoke = DecisionsPerThread * Threads)]
    public int Concurrent()
    {
        var allowed = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var local = 0;
            for (var i = 0; i < DecisionsPerThread; i++)
            {
                var result = _allow.Evaluate(_inputs[(i + t) & 1]);
                if (!result.IsUndefined && result[0].Expressions[0] == Value.True)
                {
                    local++;
                }
            }

            Interlocked.Add(ref allowed, local);
        });

        return allowed;
    }
}
