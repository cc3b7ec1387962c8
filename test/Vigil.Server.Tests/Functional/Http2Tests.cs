using System.Net;
using System.Text;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// Browsers speak HTTP/2 to an https listener; upstreams get HTTP/1.1. The gateway must carry requests across: path
/// and query as sent, the authority as Host for routing, bodies without a length (HTTP/2 has no chunked coding),
/// and HTTP/1.1-only response headers (Connection, Keep-Alive) never passed into the HTTP/2 response.
/// </summary>
public sealed class Http2Tests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-h2-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly ScriptedUpstream _upstream = new(ScriptedUpstream.Always(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-App: 1\r\nContent-Length: 5\r\n\r\nhello"));
    private VigilServer _server = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "policies"));
        File.WriteAllText(Path.Combine(_dir, "policies", "gateway.rego"), TestPolicies.Gateway);
        _port = Ports.Free();
        var config = ConfigLoader.Parse($$"""
            server: { listen: ["https://127.0.0.1:{{_port}}"], data_dir: ./data }
            policies: { directories: [./policies] }
            routes:
              - { name: app, path: /app, upstreams: [{{_upstream.Url}}], resource: { name: app, classification: public }, auth: public }
            """, _dir);
        _server = VigilServer.Create(config);
        await _server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _server.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private HttpClient Client() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true }, // the generated development certificate
    })
    {
        BaseAddress = new Uri($"https://127.0.0.1:{_port}"),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private RawRequest Received(string path) => _upstream.Requests.Last(r => r.RequestLine.Contains(path, StringComparison.Ordinal));

    [Fact]
    public async Task Get_OverHttp2_ReachesTheHttp11UpstreamAndTheAnswerComesBackAsHttp2()
    {
        using var client = Client();
        using var response = await client.GetAsync("/app/h2-get?q=%2Fa&x=1");
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("X-App"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.Empty(response.Headers.Connection);

        var request = Received("/app/h2-get");
        Assert.Equal("GET /app/h2-get?q=%2Fa&x=1 HTTP/1.1", request.RequestLine);
        Assert.Equal($"127.0.0.1:{_upstream.Port}", request.Header("Host"));
        Assert.Equal("https", request.Header("X-Forwarded-Proto"));
        Assert.Equal("127.0.0.1", request.Header("X-Forwarded-Host"));
        Assert.Equal("allow", request.Header("X-Vigil-Decision"));
    }

    [Fact]
    public async Task Post_OverHttp2WithAndWithoutLength_BodyReachesTheUpstreamExactly()
    {
        using var client = Client();
        var payload = Encoding.ASCII.GetBytes(new string('z', 70_000) + "end");
        using (var withLength = await client.PostAsync("/app/h2-length", new ByteArrayContent(payload)))
        {
            Assert.Equal(HttpStatusCode.OK, withLength.StatusCode);
        }

        var sent = Received("/app/h2-length");
        Assert.Equal(payload, sent.Body);
        Assert.Equal(payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), sent.Header("Content-Length"));

        var streamed = new StreamContent(new MemoryStream(payload));
        streamed.Headers.ContentLength = null;
        using (var withoutLength = await client.PostAsync("/app/h2-stream", streamed))
        {
            Assert.Equal(HttpStatusCode.OK, withoutLength.StatusCode);
        }

        // Read ahead up to 64 KB: a body that has all arrived by then goes with its length, else it is re-chunked.
        var received = Received("/app/h2-stream");
        Assert.True(received.Chunked || received.Header("Content-Length") == payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(payload, received.Body);
    }

    [Fact]
    public async Task ManyConcurrentStreamsOnOneConnection_AllAnswered()
    {
        using var client = Client();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await client.GetAsync($"/app/h2-many/{i}");
            return (response.StatusCode, response.Version, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(responses, r => Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20, "hello"), r));
    }
}
