using System.Diagnostics;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>
/// A quick, BenchmarkDotNet-free measurement for iterating on the hot path: ns and bytes allocated per decision
/// on the current thread (<c>Vigil.Policy.Benchmarks.dll profile [iterations]</c>). BenchmarkDotNet stays the reference.
/// </summary>
internal static class Profile
{
    public static void Run(int iterations)
    {
        var policy = ZeroTrustPolicy.Compile(services: 100);
        var allow = policy.Prepare("data.authz.allow");
        var decision = policy.Prepare("data.authz.decision");
        var allowInput = Value.FromJson(ZeroTrustPolicy.AllowInputJson);
        var denyInput = Value.FromJson(ZeroTrustPolicy.DenyInputJson);
        Measure("allow, pre-built input", iterations, () => allow.Evaluate(allowInput));
        Measure("deny, pre-built input", iterations, () => allow.Evaluate(denyInput));
        Measure("allow, from JSON", iterations, () => allow.Evaluate(Value.FromJson(ZeroTrustPolicy.AllowInputJson)));
        Measure("deny, from JSON", iterations, () => allow.Evaluate(Value.FromJson(ZeroTrustPolicy.DenyInputJson)));
        Measure("JSON parse only", iterations, () => Value.FromJson(ZeroTrustPolicy.AllowInputJson));
        Measure("decision, allow input", iterations, () => decision.Evaluate(allowInput));
        Measure("decision, deny input", iterations, () => decision.Evaluate(denyInput));
        foreach (var services in new[] { 100, 100_000 })
        {
            var service = ZeroTrustPolicy.Compile(services).Prepare("data.authz.allow");
            var input = Value.FromJson(ZeroTrustPolicy.ServiceInput(services / 2));
            Measure($"service allow ({services:N0} services)", iterations, () => service.Evaluate(input));
        }
    }

    private static void Measure(string name, int iterations, Func<object> action)
    {
        for (var i = 0; i < Math.Min(iterations, 20_000); i++)
        {
            _ = action();
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            _ = action();
        }

        watch.Stop();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Console.WriteLine($"{name,-40} {watch.Elapsed.TotalNanoseconds / iterations,10:N0} ns {bytes / (double)iterations,8:N0} B");
    }
}
