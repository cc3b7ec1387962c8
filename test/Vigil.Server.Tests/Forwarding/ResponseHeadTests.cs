using System.Text;
using Vigil.Server.Gateway.Forwarding;

namespace Vigil.Server.Tests.Forwarding;

public sealed class ResponseHeadTests
{
    private static ResponseHead Parse(string text, bool head = false)
    {
        var parsed = new ResponseHead();
        Assert.True(parsed.TryParse(Encoding.Latin1.GetBytes(text), head));
        return parsed;
    }

    [Fact]
    public void TryParse_IncompleteHead_AsksForMore()
    {
        Assert.False(new ResponseHead().TryParse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"u8, false));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "ContentLength", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "UntilClose", false)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding:\tchunked  \r\n\r\n", "Chunked", true)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "UntilClose", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", "ContentLength", false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", "ContentLength", false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\t5  \r\n\r\n", "ContentLength", true)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", "ContentLength", true)]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", "None", true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\n\r\n", "None", true)]
    public void TryParse_Framing_FollowsRfc9112(string text, string framing, bool keepAlive)
    {
        var head = Parse(text);
        Assert.Equal(framing, head.Framing.ToString());
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Fact]
    public void TryParse_HeadRequest_HasNoBodyButKeepsDeclaredLength()
    {
        var head = Parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", head: true);
        Assert.Equal("None", head.Framing.ToString());
        Assert.Equal(42, head.DeclaredLength);
    }

    [Fact]
    public void TryParse_HeaderOffsets_PointAtTrimmedNameAndValue()
    {
        var text = "HTTP/1.1 200 OK\r\nX-A:  spaced value \t\r\n\r\n";
        var head = Parse(text);
        var line = Assert.Single(head.Headers);
        Assert.Equal("X-A", text.Substring(line.NameStart, line.NameLength));
        Assert.Equal("spaced value", text.Substring(line.ValueStart, line.ValueLength));
        Assert.Equal(text.Length, head.Length);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\t\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1 \t\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding:\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\t, chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A: \u0001\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nX-A\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n: empty name\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.2 200 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\u0000\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    public void TryParse_InvalidHead_Throws(string text)
    {
        Assert.Throws<UpstreamProtocolException>(() => new ResponseHead().TryParse(Encoding.Latin1.GetBytes(text), false));
    }

    [Fact]
    public void TryParse_EndlessHead_IsRefusedAtTheLimit()
    {
        var text = "HTTP/1.1 200 OK\r\nX-A: " + new string('a', ResponseHead.MaxHeadSize);
        Assert.Throws<UpstreamProtocolException>(() => new ResponseHead().TryParse(Encoding.Latin1.GetBytes(text), false));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1a", 26L)]
    [InlineData("FF;name=value", 255L)]
    [InlineData("10;ext", 16L)]
    [InlineData("1;a;b=c;d=\"q \\\" \t\u00ff\";e=", 1L)]
    [InlineData("FF ; name=value", -1L)]
    [InlineData("5 ", -1L)]
    [InlineData("5\t", -1L)]
    [InlineData("5;", -1L)]
    [InlineData("5;a;", -1L)]
    [InlineData("5;=b", -1L)]
    [InlineData("5; a", -1L)]
    [InlineData("5;a =b", -1L)]
    [InlineData("5;a= b", -1L)]
    [InlineData("5;a b", -1L)]
    [InlineData("5;a=b=c", -1L)]
    [InlineData("5;a=\u00ff", -1L)]
    [InlineData("5;a=\"x", -1L)]
    [InlineData("5;a=\"x\"y", -1L)]
    [InlineData("5;a=\"\u0001\"", -1L)]
    [InlineData("5;a=\"\\\u007f\"", -1L)]
    [InlineData("7fffffffffffffff", -1L)]
    [InlineData("", -1L)]
    [InlineData("g", -1L)]
    [InlineData("5 x", -1L)]
    [InlineData("-5", -1L)]
    public void ParseChunkSize_AcceptsHexAndStrictExtensionsOnly(string line, long expected)
    {
        if (expected < 0)
        {
            Assert.Throws<UpstreamProtocolException>(() => Http1Forwarder.ParseChunkSize(Encoding.Latin1.GetBytes(line)));
        }
        else
        {
            Assert.Equal(expected, Http1Forwarder.ParseChunkSize(Encoding.Latin1.GetBytes(line)));
        }
    }

    [Theory]
    [InlineData("X-Trailer: t", true)]
    [InlineData("Server-Timing: a;dur=1, b\t", true)]
    [InlineData("T:\u00ffv", true)]
    [InlineData("Transfer-Encoding: chunked", true)]
    [InlineData("bad trailer", false)]
    [InlineData("T : v", false)]
    [InlineData(":v", false)]
    [InlineData(" folded", false)]
    [InlineData("T: a\u0001b", false)]
    [InlineData("T: a\rb", false)]
    [InlineData("T: a\nb", false)]
    [InlineData("Content-Length: 7", false)]
    [InlineData("content-length: 7", false)]
    public void CheckTrailer_ReadsTrailersAsHeaderLines(string line, bool valid)
    {
        var bytes = Encoding.Latin1.GetBytes(line);
        if (valid)
        {
            Http1Forwarder.CheckTrailer(bytes);
        }
        else
        {
            Assert.Throws<UpstreamProtocolException>(() => Http1Forwarder.CheckTrailer(bytes));
        }
    }
}
