using System.Diagnostics;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>
/// A quick, BenchmarkDotNet-free measurement for iterating on the hot path: CPU ns, wall ns and bytes allocated per decision
/// on the current thread (<c>Vigil.Policy.Benchmarks.dll profile [iterations]</c>). BenchmarkDotNet stays the reference.
/// </summary>
internal static class Profile
{
    public static void Run(int iterations)
    {
        // The first round lets tiered compilation finish (it is slow to catch up on a loaded machine); the second is reported.
        for (var round = 0; round < 2; round++)
        {
            s_report = round == 1;
            RunRound(iterations);
        }
    }

    private static bool s_report;

    private static void RunRound(int iterations)
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

        // CPU time rather than wall time: on a shared, loaded machine it is the steadier figure.
        using var process = Process.GetCurrentProcess();
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            _ = action();
        }

        watch.Stop();
        process.Refresh();
        cpu = process.TotalProcessorTime - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        if (!s_report)
        {
            return;
        }

        Console.WriteLine($"{name,-40} {cpu.TotalNanoseconds / iterations,8:N0} ns cpu {watch.Elapsed.TotalNanoseconds / iterations,8:N0} ns wall {bytes / (double)iterations,8:N0} B");
    }
}
