using System.Text.Json;
using Vigil.Server.Tests.Properties;
using Xunit.Abstractions;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// Vigil's response parsing (ResponseHead and the chunked decoder) against llhttp in strict mode, on hand-written
/// nasty responses and on CsCheck-generated ones. Both must agree on accept/reject, on where the head ends, on the
/// framing and on the body. Vigil accepting what llhttp refuses always fails; Vigil refusing what llhttp accepts passes
/// only when it is one of the deliberate strictnesses listed in <see cref="Deliberate"/>, with its reason.
/// </summary>
[Collection(LlhttpCollection.Name)]
public sealed partial class ResponseDifferentialTests(Llhttp llhttp, VigilResponseReader vigil, ITestOutputHelper output) : IClassFixture<VigilResponseReader>
{
    /// <summary>A refusal of Vigil's that llhttp does not share, and why Vigil keeps it.</summary>
    internal sealed record Strictness(string Name, string Reason, string[] VigilErrors, Func<string, bool> Applies);

    /// <summary>
    /// Where Vigil is deliberately stricter than llhttp. Each entry names the errors Vigil gives and a test on the
    /// bytes, so a refusal is excused only for the reason listed, not for anything else in the same response; the
    /// first entry that fits is credited, so the narrower ones come first.
    /// </summary>
    /// <summary>Vigil's error when the stream ends inside the head.</summary>
    internal const string Incomplete = VigilResponseReader.StreamEndedInHead;

    internal static readonly Strictness[] Deliberate =
    [
        new("leading-empty-line", "an upstream response starts with its status line; llhttp skips empty lines before it",
            ["invalid response status line"], data => data.StartsWith('\r') || data.StartsWith('\n')),
        new("status-line-cr-cr", "a status line ends with CRLF; llhttp also ends it at CR CR (a header may follow on the same 'line')",
            ["control character in response status line", Incomplete], data => StatusLines(data).Any(line => line.Contains("\r\r", StringComparison.Ordinal))),
        new("http-version", "only HTTP/1.0 and HTTP/1.1 are spoken upstream; llhttp also takes 0.9, 2.0, RTSP/ and ICE/",
            ["invalid response status line"], data => StatusLines(data).Any(line => !line.StartsWith("HTTP/1.0 ", StringComparison.Ordinal) && !line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))),
        new("status-below-100", "RFC 9110 status codes are 100 to 599 (Vigil takes up to 999); llhttp takes 000 to 099",
            ["invalid response status code"], data => StatusLines(data).Any(line => line.Length >= 12 && line[9] == '0')),
        new("reason-control", "a control character in the reason phrase is refused like one in a header value; llhttp takes any byte but CR and LF",
            ["control character in response status line"], data => StatusLines(data).Any(line => line.Skip(12).Any(c => (c < ' ' && c != '\t') || c == '\u007f'))),
        new("switching-protocols", "the forwarder never asks for an upgrade (upgrades go through YARP): a 101 is an upstream error",
            ["upstream switched protocols without being asked to"], data => StatusLines(data).Any(line => line.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) || line.StartsWith("HTTP/1.0 101", StringComparison.Ordinal))),
        new("length-beyond-long", "lengths are longs: a Content-Length past 2^63-1 is refused; llhttp takes up to 2^64-1",
            ["invalid Content-Length in response"], data => HeaderValues(data, "content-length").Any(v => v.Trim(' ', '\t').Length >= 19)),
        new("head-size", "heads are limited to 64 KiB (llhttp's limit is set far above it here)",
            ["response head too large"], data => data.Length > 64 * 1024),
        new("header-count", "at most 256 header lines",
            ["too many response headers"], data => data.Split("\r\n").Length > 256),
        new("transfer-encoding-blank-or-tab", "an empty Transfer-Encoding (llhttp ignores it) and a tab inside or after the list (llhttp does not take 'chunked<TAB>' as chunked) read differently: refused",
            ["ambiguous Transfer-Encoding in response"], data => HeaderValues(data, "transfer-encoding").Any(v => v.Trim(' ', '\t').Length == 0 || v.TrimStart(' ', '\t').Contains('\t', StringComparison.Ordinal))),
        new("chunk-extension-without-name", "a chunk extension has a name (RFC 9112 token); llhttp takes ';=value', and an empty one before another (';;a')",
            ["invalid chunk extension"], data => data.Contains(";=", StringComparison.Ordinal) || data.Contains(";;", StringComparison.Ordinal)),
        new("chunk-extension-token-then-quote", "an extension value is a token or a quoted string; llhttp also takes a token run straight into a quoted string (a=b\"c\")",
            ["invalid chunk extension"], data => TokenThenQuote().IsMatch(data)),
        new("chunk-size-digits", "a chunk size has at most 15 hex digits, leading zeros included; llhttp takes any number of leading zeros and sizes up to 2^64-1",
            ["chunk size too large"], data => HexRuns(data).Any(run => run >= 16)),
    ];

    [Fact]
    public async Task Nasty_VigilAndLlhttpAgree_AndEveryDeliberateStrictnessIsNeeded()
    {
        var failures = new List<string>();
        var excused = new HashSet<string>();
        foreach (var (name, c) in NastyResponses.Table)
        {
            var (failure, excuse) = await CompareAsync(c);
            if (failure is not null)
            {
                failures.Add($"{name}: {failure}");
            }

            if (excuse is not null)
            {
                excused.Add(excuse);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {NastyResponses.Table.Count} disagree:\n" + string.Join("\n\n", failures));

        // A listed strictness that no hand-written case needs is untested, or stale.
        Assert.Empty(Deliberate.Select(d => d.Name).Except(excused));
    }

    [Fact]
    public async Task Generated_VigilAndLlhttpAgree()
    {
        // CI: 3,000 cases from a fixed seed (about 3 s); VIGIL_LONG_PROPERTY_RUNS=1: 200,000 from random seeds (about 3 min).
        var iterations = PropertyRuns.Long ? 200_000 : 3_000;
        var outcomes = new Dictionary<string, int>();
        await PropertyRuns.SampleAsync(ResponseCases.Any, async c =>
        {
            var (failure, excuse) = await CompareAsync(c);
            if (failure is not null)
            {
                throw new InvalidOperationException(failure);
            }

            var outcome = excuse is not null ? "refused: " + excuse : _lastOutcome;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }, seed: 20261126, count: iterations, longCount: iterations);

        output.WriteLine($"{iterations} cases ({llhttp.Version}):");
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"{count,8}  {outcome}");
        }

        // The generator must keep reaching every framing, and refusals on both sides.
        foreach (var outcome in (string[])["accepted: none", "accepted: length", "accepted: chunked", "accepted: close", "refused by both"])
        {
            var count = outcomes.Where(o => o.Key.StartsWith(outcome, StringComparison.Ordinal)).Sum(o => o.Value);
            Assert.True(count >= iterations / 20, $"only {count} cases {outcome}: the generator no longer exercises it");
        }
    }

    private string _lastOutcome = "";

    private async Task<(string? Failure, string? Excuse)> CompareAsync(ResponseCase c)
    {
        var data = c.Bytes;
        var ours = await vigil.ReadAsync(data, c.HeadRequest);
        var oracle = await llhttp.ParseResponseAsync(data, c.HeadRequest);
        var (problem, excuse) = Disagreement(c.Data, c.HeadRequest, ours, oracle);
        _lastOutcome = ours.Message == "complete" ? "accepted: " + ours.Framing : "refused by both: " + ours.Error;
        return (problem is null ? null : $"{problem}\n  case:   {c}\n  vigil:  {ours}\n  llhttp: {oracle.GetRawText()} ({llhttp.Version})", excuse);
    }

    /// <summary>What differs (null when the readings agree), and the deliberate strictness that excused a refusal, if one did.</summary>
    internal static (string? Problem, string? Excuse) Disagreement(string data, bool headRequest, VigilVerdict vigil, JsonElement oracle)
    {
        var oracleHead = oracle.GetProperty("head").GetString();
        var oracleUpgrade = oracleHead == "ok" && oracle.GetProperty("upgrade").GetBoolean();
        var oracleMessage = oracleHead == "ok" && !oracleUpgrade ? oracle.GetProperty("message").GetString() : null;
        var vigilAccepts = vigil.Head == "ok" && vigil.Message == "complete";
        var oracleAccepts = oracleMessage == "complete";

        if (vigil.Head == "ok" && oracleHead != "ok")
        {
            return ($"Vigil accepts a head llhttp finds {oracleHead}", null);
        }

        if (vigilAccepts && !oracleAccepts)
        {
            return ("Vigil accepts a response llhttp refuses", null);
        }

        if (!vigilAccepts && (oracleAccepts || oracleUpgrade))
        {
            var excuse = Deliberate.FirstOrDefault(s => s.VigilErrors.Any(e => vigil.Error?.StartsWith(e, StringComparison.Ordinal) == true) && s.Applies(data));
            return excuse is null ? ("Vigil refuses a response llhttp accepts, and no deliberate strictness explains it", null) : (null, excuse.Name);
        }

        if (vigil.Head != "ok" || oracleHead != "ok")
        {
            return (null, null); // both refuse the head
        }

        if (vigil.HeadLength != oracle.GetProperty("headLength").GetInt32())
        {
            return ("the head ends at different places", null);
        }

        var framing = oracle.GetProperty("framing").GetString();
        if (vigil.Framing != framing)
        {
            return ($"framing differs: Vigil {vigil.Framing}, llhttp {framing}", null);
        }

        if (framing == "length" && vigil.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) != oracle.GetProperty("length").GetString())
        {
            return ("lengths differ", null);
        }

        // llhttp reports keep-alive before it learns that the request was HEAD, as if a body might follow to the end of
        // the stream; a HEAD response ends with its head whatever it declares, so only other requests are compared.
        if (vigil.KeepAlive && !headRequest && !oracle.GetProperty("keepAlive").GetBoolean())
        {
            return ("Vigil would reuse a connection llhttp would close", null);
        }

        if (vigilAccepts && !vigil.Body!.AsSpan().SequenceEqual(Convert.FromBase64String(oracle.GetProperty("body").GetString()!)))
        {
            return ("bodies differ", null);
        }

        return (null, null);
    }

    /// <summary>The first line and every line that follows an empty line (the status lines, and sometimes body text).</summary>
    private static IEnumerable<string> StatusLines(string data)
    {
        var start = 0;
        while (start < data.Length)
        {
            var end = data.IndexOf("\r\n", start, StringComparison.Ordinal);
            yield return end < 0 ? data[start..] : data[start..end];
            var next = data.IndexOf("\r\n\r\n", start, StringComparison.Ordinal);
            if (next < 0)
            {
                yield break;
            }

            start = next + 4;
        }
    }

    private static IEnumerable<string> HeaderValues(string data, string name)
    {
        foreach (var line in data.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                yield return line[(colon + 1)..];
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("=[-!#$%&'*+.^_`|~0-9A-Za-z]+\"")]
    private static partial System.Text.RegularExpressions.Regex TokenThenQuote();

    /// <summary>Lengths of the runs of hex digits that start a line (chunk sizes, among others).</summary>
    private static IEnumerable<int> HexRuns(string data)
    {
        foreach (var line in data.Split('\n'))
        {
            var run = 0;
            while (run < line.Length && char.IsAsciiHexDigit(line[run]))
            {
                run++;
            }

            yield return run;
        }
    }
}
