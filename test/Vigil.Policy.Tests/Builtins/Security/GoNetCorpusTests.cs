using System.Text.Json;
using Vigil.Policy.Builtins;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>
/// Differential tests against Go's net package: TestData/go-net-corpus.jsonl was produced by Go 1.19
/// (TestData/go-net-corpus.go.txt) from random and mutated IPv4/IPv6 addresses and prefixes.
/// </summary>
public sealed class GoNetCorpusTests
{
    private static IEnumerable<JsonElement> Corpus(string kind) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Builtins", "Security", "TestData", "go-net-corpus.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == kind);

    private static void Check(string kind, Func<JsonElement, string> actual)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var c in Corpus(kind))
        {
            count++;
            var got = actual(c);
            var want = c.GetProperty("want").GetString();
            if (got != want)
            {
                failures.Add($"{c.GetProperty("input").GetString()} {(c.TryGetProperty("other", out var o) ? o.GetString() : string.Empty)}: want {want} got {got}");
            }
        }

        Assert.True(count > 500, $"only {count} {kind} cases");
        Assert.True(failures.Count == 0, $"{failures.Count}/{count} differ:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public void ParseIp_MatchesGo() =>
        Check("ip", c => GoIp.Parse(c.GetProperty("input").GetString()!)?.ToString() ?? "<nil>");

    [Fact]
    public void ParseCidr_MatchesGo() =>
        Check("cidr", c =>
        {
            var text = c.GetProperty("input").GetString()!;
            return GoIpNet.ParseCidr(text)?.ToString() ?? "error: invalid CIDR address: " + text;
        });

    [Fact]
    public void CidrContains_MatchesGo() =>
        Check("contains", c =>
        {
            try
            {
                var result = BuiltinHarness.Call("net.cidr_contains", Value.From(c.GetProperty("input").GetString()!), Value.From(c.GetProperty("other").GetString()!));
                return ((BooleanValue)result!).Value ? "true" : "false";
            }
            catch (BuiltinErrorException e)
            {
                return "error: " + e.Message;
            }
        });
}
