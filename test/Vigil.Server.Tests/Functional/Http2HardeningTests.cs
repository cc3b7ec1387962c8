using System.Net;
using System.Net.WebSockets;
using System.Text;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// Issue 17 over an HTTPS listener with HTTP/2: field names that are not tokens and connection-specific fields are
/// refused before routing (Kestrel's HPACK decoder lets them through), WebSockets over HTTP/2 (RFC 8441) are relayed
/// as HTTP/1.1 upgrades with the same decision, and every upgrade follows the route's host rule.
/// </summary>
public sealed class Http2HardeningTests(Http2HardeningFixture fixture) : IClassFixture<Http2HardeningFixture>
{
    private readonly string _dir = fixture.Dir;
    private readonly TestUpstream _upstream = fixture.Upstream;
    private readonly int _port = fixture.Port;

    private static (string, string)[] Request(string path, params (string, string)[] fields) =>
        [(":method", "POST"), (":scheme", "https"), (":authority", "127.0.0.1"), (":path", path), .. fields];

    private List<ReceivedRequest> ReceivedWith(string marker) =>
        _upstream.Received.Where(r => r.RawTarget.Contains(marker, StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Control_PlainFields_AreForwarded()
    {
        var outcome = await RawHttp2.SendAsync(_port, Request("/app/x?marker=h2ok", ("content-length", "5"), ("x-app", "1"), ("te", "trailers")), "hello"u8.ToArray());
        Assert.Equal(200, outcome.Status);
        Assert.Equal("1", Assert.Single(ReceivedWith("marker=h2ok")).Header("X-App"));
    }

    [Theory]
    [InlineData("transfer-encoding ", "chunked")]
    [InlineData("transfer-encoding\t", "chunked")]
    [InlineData(" transfer-encoding", "chunked")]
    [InlineData("remote-user ", "admin")]
    [InlineData("x-forwarded-for ", "10.9.9.9")]
    [InlineData("x-vigil-user ", "admin")]
    [InlineData("x-na\u0001me", "1")]
    [InlineData("x-na:me", "1")]
    [InlineData("x-na\"me", "1")]
    public async Task FieldName_NotAToken_IsRefusedBeforeRouting(string name, string value)
    {
        var marker = "h2tok" + Guid.NewGuid().ToString("N")[..8];
        var outcome = await RawHttp2.SendAsync(_port, Request($"/app/x?marker={marker}", ("content-length", "5"), (name, value)), "hello"u8.ToArray());
        Assert.True(outcome.Refused, outcome.ToString());
        Assert.Empty(ReceivedWith(marker));
    }

    [Theory]
    [InlineData("transfer-encoding", "chunked")]
    [InlineData("connection", "keep-alive")]
    [InlineData("keep-alive", "timeout=5")]
    [InlineData("proxy-connection", "keep-alive")]
    [InlineData("upgrade", "websocket")]
    [InlineData("te", "gzip")]
    [InlineData("te", "trailers, gzip")]
    public async Task ConnectionSpecificField_MakesTheRequestMalformed(string name, string value)
    {
        var marker = "h2conn" + Guid.NewGuid().ToString("N")[..8];
        var outcome = await RawHttp2.SendAsync(_port, Request($"/app/x?marker={marker}", ("content-length", "5"), (name, value)), "hello"u8.ToArray());
        Assert.True(outcome.Refused, outcome.ToString());
        Assert.Empty(ReceivedWith(marker));
    }

    [Theory]
    [InlineData("+5")]
    [InlineData("0x5")]
    public async Task ContentLength_NotDigitsOnly_IsRefused(string value)
    {
        var marker = "h2cl" + Guid.NewGuid().ToString("N")[..8];
        var outcome = await RawHttp2.SendAsync(_port, Request($"/app/x?marker={marker}", ("content-length", value)), "hello"u8.ToArray());
        Assert.True(outcome.Refused, outcome.ToString());
        Assert.Empty(ReceivedWith(marker));
    }

    private ClientWebSocket Socket(Version version)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = version;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return socket;
    }

    private static HttpMessageInvoker Invoker() => new(new SocketsHttpHandler
    {
        UseProxy = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    [Fact]
    public async Task WebSocketOverHttp2_IsRelayedAsAnHttp11UpgradeWithTheSameDecision()
    {
        using var invoker = Invoker();
        using var socket = Socket(HttpVersion.Version20);
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{_port}/app/ws?marker=h2ws"), invoker, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("echo:hi:", await EchoAsync(socket, "hi"));
        var got = Assert.Single(ReceivedWith("marker=h2ws"));
        Assert.Equal("GET", got.Method);
        Assert.Equal($"127.0.0.1:{_upstream.Address.Port}", got.Header("Host"));

        var log = File.ReadAllText(Path.Combine(_dir, "data", "decisions.log"));
        Assert.Contains("\"method\":\"GET\",\"host\":\"127.0.0.1\",\"path\":\"/app/ws\"", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocketOverHttp2_DeniedByPolicy_NeverReachesTheUpstream()
    {
        using var invoker = Invoker();
        using var socket = Socket(HttpVersion.Version20);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"wss://127.0.0.1:{_port}/closed/ws?marker=h2wsdeny"), invoker, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Empty(ReceivedWith("marker=h2wsdeny"));
    }

    [Fact]
    public async Task ExtendedConnect_ForAnotherProtocol_IsRefused()
    {
        var outcome = await RawHttp2.SendAsync(_port,
            [(":method", "CONNECT"), (":protocol", "connect-udp"), (":scheme", "https"), (":authority", "127.0.0.1"), (":path", "/app/x?marker=h2udp")]);
        Assert.True(outcome.Refused, outcome.ToString());
        Assert.Empty(ReceivedWith("marker=h2udp"));
    }

    [Fact]
    public async Task Upgrade_FollowsTheRouteHostRule()
    {
        using var invoker = Invoker();
        using (var socket = Socket(HttpVersion.Version11))
        {
            socket.Options.SetRequestHeader("X-Marker", "ws-host-1");
            await socket.ConnectAsync(new Uri($"wss://localhost:{_port}/app/ws?marker=wshost1"), invoker, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("echo:a:", await EchoAsync(socket, "a"));
        }

        // Not preserved: the upstream's own authority, as for a plain request.
        Assert.Equal($"127.0.0.1:{_upstream.Address.Port}", Assert.Single(ReceivedWith("marker=wshost1")).Header("Host"));

        using (var socket = Socket(HttpVersion.Version11))
        {
            await socket.ConnectAsync(new Uri($"wss://localhost:{_port}/kept/ws?marker=wshost2"), invoker, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("echo:b:", await EchoAsync(socket, "b"));
        }

        Assert.Equal($"localhost:{_port}", Assert.Single(ReceivedWith("marker=wshost2")).Header("Host"));
    }
}

/// <summary>One HTTPS listener with HTTP/2 and a recording upstream for all of <see cref="Http2HardeningTests"/>.</summary>
public sealed class Http2HardeningFixture : IAsyncLifetime
{
    private VigilServer _server = null!;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "vigil-h2h-" + Guid.NewGuid().ToString("N")[..8]);

    public TestUpstream Upstream { get; private set; } = null!;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Upstream = await TestUpstream.StartAsync();
        Directory.CreateDirectory(Path.Combine(Dir, "policies"));
        File.WriteAllText(Path.Combine(Dir, "policies", "gateway.rego"), TestPolicies.Gateway);
        Port = Ports.Free();
        var up = Upstream.Address.ToString().TrimEnd('/');
        var config = ConfigLoader.Parse($$"""
            server: { listen: ["https://127.0.0.1:{{Port}}"], data_dir: ./data }
            policies: { directories: [./policies] }
            routes:
              - { name: app, path: /app, upstreams: [{{up}}], resource: { name: app, classification: public }, auth: public }
              - { name: kept, path: /kept, upstreams: [{{up}}], resource: { name: kept, classification: public }, auth: public, preserve_host: true }
              - { name: closed, path: /closed, upstreams: [{{up}}], resource: { name: closed, classification: restricted } }
            """, Dir);
        _server = VigilServer.Create(config);
        await _server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _server.DisposeAsync();
        await Upstream.DisposeAsync();
        Directory.Delete(Dir, true);
    }

}
