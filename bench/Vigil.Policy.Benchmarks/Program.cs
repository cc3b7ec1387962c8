using BenchmarkDotNet.Running;
using Vigil.Policy.Benchmarks;

if (args.Length > 0 && args[0] == "memory")
{
    // Retained size of the compiled policy with 100,000 services (data + indexes), in MB.
    var services = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    var before = GC.GetTotalMemory(forceFullCollection: true);
    var policy = ZeroTrustPolicy.Compile(services);
    var prepared = policy.Prepare("data.authz.allow");
    _ = prepared.Evaluate(Vigil.Policy.Values.Value.FromJson(ZeroTrustPolicy.ServiceInput(services - 1)));
    var after = GC.GetTotalMemory(forceFullCollection: true);
    GC.KeepAlive(policy);
    Console.WriteLine($"compiled policy with {services} services: {(after - before) / 1024.0 / 1024.0:0.0} MB retained");
    return;
}

if (args.Length > 0 && args[0] == "profile")
{
    Profile.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecisionBenchmarks).Assembly).Run(args);
