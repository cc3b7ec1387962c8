using System.Text;
using System.Text.Json;
using Vigil.Policy.Builtins;
using Vigil.Policy.Builtins.Security;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>
/// Differential tests against Go's encoding/base64 (error offsets included) and encoding/pem:
/// TestData/go-encoding-corpus.jsonl was produced by Go 1.19 (TestData/go-encoding-corpus.go.txt).
/// </summary>
public sealed class GoEncodingCorpusTests
{
    private static IEnumerable<JsonElement> Corpus(string kind) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Builtins", "Security", "TestData", "go-encoding-corpus.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == kind);

    private static void Check(string kind, Func<string, string> actual)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var c in Corpus(kind))
        {
            count++;
            var input = c.GetProperty("input").GetString()!;
            var want = c.GetProperty("want").GetString()!;
            if (c.TryGetProperty("rest", out var rest))
            {
                want += " rest=" + rest.GetString();
            }

            var got = actual(input);
            if (got != want)
            {
                failures.Add($"{JsonSerializer.Serialize(input)}: want {want} got {got}");
            }
        }

        Assert.True(count > 500, $"only {count} {kind} cases");
        Assert.True(failures.Count == 0, $"{failures.Count}/{count} differ:\n" + string.Join("\n", failures.Take(30)));
    }

    private static string Hex(Func<byte[]> decode)
    {
        try
        {
            return Convert.ToHexStringLower(decode());
        }
        catch (BuiltinErrorException e)
        {
            return "error: " + e.Message;
        }
    }

    [Fact]
    public void StdBase64_MatchesGo() => Check("std", s => Hex(() => GoBase64.DecodeStd(s)));

    [Fact]
    public void OpaBase64Url_MatchesGo() => Check("url", s => Hex(() => GoBase64.DecodeUrlOpa(s)));

    [Fact]
    public void PemDecode_MatchesGo() => Check("pem", s =>
    {
        var (block, rest) = GoPem.Decode(s);
        var text = block is null ? "<nil>" : block.Type + "|" + Convert.ToHexStringLower(block.Bytes);
        var restText = Encoding.UTF8.GetString(rest);
        return restText.Length == 0 && block is not null ? text : text + " rest=" + restText;
    });
}
