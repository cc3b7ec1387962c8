using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// llhttp, Node.js's HTTP/1.1 parser, as the independent oracle of the forwarder's differential tests: one
/// <c>node llhttp/parse.js</c> process for the whole collection, asked one case per line (see parse.js for the
/// protocol). Without Node.js the tests fail (scripts/setup.sh installs it); they are never skipped.
/// </summary>
public sealed class Llhttp : IAsyncLifetime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _node;

    /// <summary>The versions of Node.js and llhttp that judged (for failure messages).</summary>
    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Forwarding", "llhttp", "parse.js");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("--no-deprecation"); // process.binding('http_parser') is deprecated, and still the way to llhttp
        start.ArgumentList.Add(script);
        try
        {
            _node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Node.js ('node') is needed for the llhttp differential tests: run scripts/setup.sh", ex);
        }

        var version = await AskAsync(new JsonObject { ["kind"] = "version" });
        var llhttp = version.GetProperty("llhttp").GetString()!;
        Version = $"node {version.GetProperty("node")}, llhttp {llhttp}";

        // The deliberate strictnesses are listed against llhttp 9 (Node.js 20); older versions are laxer in many places.
        if (int.Parse(llhttp.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture) < 9)
        {
            throw new InvalidOperationException($"{Version}: the differential tests need llhttp 9 or later (Node.js 20 or later)");
        }
    }

    /// <summary>llhttp's verdict on what an upstream sends (interim responses, the final response, then the end of the stream).</summary>
    public Task<JsonElement> ParseResponseAsync(byte[] data, bool headRequest) =>
        AskAsync(new JsonObject { ["kind"] = "response", ["data"] = Convert.ToBase64String(data), ["headRequest"] = headRequest });

    /// <summary>llhttp's reading of a request head.</summary>
    public Task<JsonElement> ParseRequestAsync(byte[] data) =>
        AskAsync(new JsonObject { ["kind"] = "request", ["data"] = Convert.ToBase64String(data) });

    private async Task<JsonElement> AskAsync(JsonObject question)
    {
        var node = _node ?? throw new InvalidOperationException("llhttp is not started");
        await _gate.WaitAsync(AnswerTimeout);
        try
        {
            await node.StandardInput.WriteLineAsync(question.ToJsonString()).WaitAsync(AnswerTimeout);
            await node.StandardInput.FlushAsync().WaitAsync(AnswerTimeout);
            var line = await node.StandardOutput.ReadLineAsync().WaitAsync(AnswerTimeout)
                ?? throw new InvalidOperationException($"node exited (code {(node.HasExited ? node.ExitCode : -1)}) instead of answering");
            var answer = JsonDocument.Parse(line).RootElement.Clone();
            if (answer.TryGetProperty("fault", out var fault))
            {
                throw new InvalidOperationException("parse.js failed: " + fault.GetString());
            }

            return answer;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is { } node)
        {
            node.StandardInput.Close(); // parse.js ends with its input
            if (!node.WaitForExit(5000))
            {
                node.Kill();
            }

            node.Dispose();
        }

        _gate.Dispose();
        await Task.CompletedTask;
    }
}

/// <summary>The tests that ask llhttp share one node process.</summary>
[CollectionDefinition(Name)]
public sealed class LlhttpCollection : ICollectionFixture<Llhttp>
{
    public const string Name = "llhttp";
}
