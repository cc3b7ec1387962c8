using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Vigil.Server.Gateway;
using Vigil.Server.Gateway.Forwarding;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>The request head the forwarder writes: header lines HTTP forbids are refused, never written.</summary>
public sealed class RequestHeadTests
{
    [Theory]
    [InlineData("X@A", "1")]
    [InlineData("X{A}", "1")]
    [InlineData("X A", "1")]
    [InlineData("X-\u00e9", "1")]
    [InlineData("X-A", "a\u001bb")]
    [InlineData("X-A", "a\u007fb")]
    [InlineData("X-A", "a\u0001b")]
    [InlineData("X-A", "a\rb")]
    [InlineData("X-A", "a\0b")]
    public void WriteRequestHead_HeaderHttpForbids_IsRefused(string name, string value)
    {
        // The gateway refuses these before routing (400); the forwarder checks again, as for its own values.
        Assert.Throws<UpstreamProtocolException>(() => Write(name, value));
    }

    [Theory]
    [InlineData("!#$%&'*+-.^`|~09azAZ", "1")] // every tchar but '_' (names with '_' are dropped, as nginx drops them)
    [InlineData("X-A", "caf\u00e9 \t \u20ac \"quoted\" (x) {y}")]
    [InlineData("X-A", "")]
    public void WriteRequestHead_OddButLegalHeader_IsWrittenAsIs(string name, string value)
    {
        var head = Write(name, value);
        Assert.Contains($"\r\n{name}: {value}\r\n", Encoding.UTF8.GetString(head), StringComparison.Ordinal);
    }

    private static byte[] Write(string name, string value)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Headers[name] = value;
        using var watchdog = new UpstreamWatchdog(TimeProvider.System);
        using var pool = new ConnectionPool(TimeProvider.System, watchdog);
        var destination = new UpstreamDestination(new Uri("http://up.example"), pool);
        var forward = new ForwardContext { Path = "/", Query = "", Host = "gateway.example", ClientIp = "192.0.2.1", RequestId = "r1", Decision = "allow" };
        var writer = new ArrayBufferWriter<byte>();
        Http1Forwarder.WriteRequestHead(writer, context, destination, forward, "__vigil_session", hasBody: false, contentLength: null);
        return writer.WrittenSpan.ToArray();
    }
}
