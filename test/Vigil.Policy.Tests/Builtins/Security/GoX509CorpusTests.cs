using System.Text.Json;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>
/// Differential tests against Go's encoding/json of x509.Certificate and x509.CertificateRequest:
/// TestData/go-x509-corpus.jsonl was produced by Go 1.19 (TestData/go-x509-corpus.go.txt) with RSA, P-256,
/// P-384 and Ed25519 keys and most extensions. Every field Go writes must come out identical.
/// </summary>
public sealed class GoX509CorpusTests
{
    [Fact]
    public void ParsedCertificatesAndRequests_MatchGoJson()
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Builtins", "Security", "TestData", "go-x509-corpus.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var pem = root.GetProperty("pem").GetString()!;
            var isCsr = root.TryGetProperty("csr", out var csr) && csr.GetBoolean();
            var want = (ObjectValue)Value.FromJson(root.GetProperty("json").GetRawText());
            var got = isCsr
                ? (ObjectValue)BuiltinHarness.Call("crypto.x509.parse_certificate_request", Value.From(pem))!
                : (ObjectValue)((ArrayValue)BuiltinHarness.Call("crypto.x509.parse_certificates", Value.From(pem))!)[0];
            count++;
            foreach (var (key, wantValue) in want)
            {
                var gotValue = got[key];
                if (gotValue is null || !gotValue.Equals(wantValue))
                {
                    failures.Add($"#{count} {(isCsr ? "csr" : "cert")} {key}: want {Short(wantValue)} got {Short(gotValue)}");
                }
            }
        }

        Assert.Equal(48, count);
        Assert.True(failures.Count == 0, $"{failures.Count} field(s) differ:\n" + string.Join("\n", failures.Take(40)));
    }

    private static string Short(Value? v)
    {
        var text = v?.ToJson() ?? "<missing>";
        return text.Length > 160 ? text[..160] + "..." : text;
    }
}
