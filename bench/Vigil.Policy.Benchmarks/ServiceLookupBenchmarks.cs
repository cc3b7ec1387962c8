using BenchmarkDotNet.Attributes;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>The service-to-service path with data.allowed_services of growing size: time and allocation must not grow.</summary>
[MemoryDiagnoser]
public class ServiceLookupBenchmarks
{
    private PreparedQuery _allow = null!;
    private Value _input = null!;

    [Params(100, 100_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _allow = ZeroTrustPolicy.Compile(Services).Prepare("data.authz.allow");
        _input = Value.FromJson(ZeroTrustPolicy.ServiceInput(Services / 2));
        if (!Decide())
        {
            throw new InvalidOperationException("the service input is not allowed");
        }
    }

    [Benchmark(Description = "service allow, pre-built input")]
    public bool Decide()
    {
        var result = _allow.Evaluate(_input);
        return !result.IsUndefined && result[0].Expressions[0] == Value.True;
    }
}
