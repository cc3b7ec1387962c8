using BenchmarkDotNet.Attributes;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>One access decision of the zero-trust example policy, as the gateway asks it.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private PreparedQuery _allow = null!;
    private PreparedQuery _decision = null!;
    private Value _allowInput = null!;
    private Value _denyInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var policy = ZeroTrustPolicy.Compile(services: 100);
        _allow = policy.Prepare("data.authz.allow");
        _decision = policy.Prepare("data.authz.decision");
        _allowInput = Value.FromJson(ZeroTrustPolicy.AllowInputJson);
        _denyInput = Value.FromJson(ZeroTrustPolicy.DenyInputJson);
        if (!Decide(_allowInput) || Decide(_denyInput))
        {
            throw new InvalidOperationException("the benchmark inputs do not give the expected decisions");
        }
    }

    private bool Decide(Value input)
    {
        var result = _allow.Evaluate(input);
        return !result.IsUndefined && result[0].Expressions[0] == Value.True;
    }

    [Benchmark(Description = "allow, pre-built input")]
    public bool AllowPrebuilt() => Decide(_allowInput);

    [Benchmark(Description = "deny, pre-built input")]
    public bool DenyPrebuilt() => Decide(_denyInput);

    [Benchmark(Description = "allow, from JSON")]
    public bool AllowFromJson() => Decide(Value.FromJson(ZeroTrustPolicy.AllowInputJson));

    [Benchmark(Description = "deny, from JSON")]
    public bool DenyFromJson() => Decide(Value.FromJson(ZeroTrustPolicy.DenyInputJson));

    [Benchmark(Description = "decision object, allow input")]
    public Value DecisionAllow() => _decision.Evaluate(_allowInput)[0].Expressions[0];

    [Benchmark(Description = "decision object, deny input")]
    public Value DecisionDeny() => _decision.Evaluate(_denyInput)[0].Expressions[0];
}
