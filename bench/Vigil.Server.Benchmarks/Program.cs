using BenchmarkDotNet.Running;
using Vigil.Server.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(GatewayHotPathBenchmarks).Assembly).Run(args);
