using System.Net;
using System.Text;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// Vigil's HTTP/1.1 forwarder against upstreams that speak exactly the bytes each test scripts: framing, streaming,
/// header hygiene in both directions, connection reuse, and hostile or broken responses (which must become a 502,
/// never a smuggled or truncated answer).
/// </summary>
public sealed class ForwarderTests(ForwarderFixture fixture) : IClassFixture<ForwarderFixture>
{
    private VigilHarness H => fixture.Harness;

    private string On(string key, string response, bool keep = true)
    {
        fixture.Handlers[key] = ScriptedUpstream.Always(response, keep);
        return "/raw/" + key;
    }

    [Fact]
    public async Task Forward_ContentLengthResponse_BodyAndHeadersRelayed()
    {
        var path = On("cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: 1\r\nContent-Type: text/plain\r\n\r\nhello");
        using var api = H.Api();
        using var response = await api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello", await response.Content.ReadAsStringAsync());
        Assert.Equal("1", response.Headers.GetValues("X-Up").Single());
        Assert.Equal(5, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Forward_ChunkedResponseWithExtensionsAndTrailers_IsDecoded()
    {
        var path = On("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        using var api = H.Api();
        Assert.Equal("hello world", await api.GetStringAsync(path));
    }

    [Fact]
    public async Task Forward_ResponseDelimitedByClose_IsRelayedWhole()
    {
        var path = On("close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until the end", keep: false);
        using var api = H.Api();
        Assert.Equal("all of it, until the end", await api.GetStringAsync(path));
    }

    [Fact]
    public async Task Forward_HeadRequest_KeepsLengthWithoutBody()
    {
        var path = On("head", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        var response = await RawHttp.SendAsync(H.Port, path, method: "HEAD");
        Assert.Equal(200, response.Status);
        Assert.Equal("1234", response.Header("Content-Length"));
        Assert.Equal("", response.Body);
    }

    [Fact]
    public async Task Forward_NoContent_HasNoBody()
    {
        var path = On("nocontent", "HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n");
        var response = await RawHttp.SendAsync(H.Port, path);
        Assert.Equal(204, response.Status);
        Assert.Equal("yes", response.Header("X-Done"));
        Assert.Equal("", response.Body);
    }

    [Fact]
    public async Task Forward_InterimResponses_AreSkipped()
    {
        var path = On("interim", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        Assert.Equal("ok", await api.GetStringAsync(path));
    }

    [Theory]
    [InlineData("uninvited-101", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("closing-interim", "HTTP/1.1 103 Early Hints\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("http-1.0-interim", "HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("conflicting-cl", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")]
    [InlineData("cl-list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello")]
    [InlineData("cl-te", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("negative-cl", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello")]
    [InlineData("folded", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("nul-value", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("space-in-name", "HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello")]
    [InlineData("http2-status", "HTTP/2 200 OK\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("short-status", "HTTP/1.1 20 OK\r\nContent-Length: 5\r\n\r\nhello")]
    [InlineData("bad-chunk-size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    public async Task Forward_MalformedResponse_IsBadGatewayNotRelayed(string key, string response)
    {
        var path = On(key, response, keep: false);
        RawHttp.Response result;
        try
        {
            result = await RawHttp.SendAsync(H.Port, path);
        }
        catch (Exception ex) when (key == "bad-chunk-size" && ex is IOException or System.Net.Sockets.SocketException)
        {
            return; // the head was valid and already accepted: the broken body resets the client connection instead
        }

        if (key == "bad-chunk-size")
        {
            Assert.DoesNotContain("hello", result.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("0\r\n\r\n", result.Body, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(502, result.Status);
        Assert.DoesNotContain("hello", result.Body, StringComparison.Ordinal);
        Assert.NotNull(result.Header("X-Vigil-Request-Id"));
    }

    [Fact]
    public async Task Forward_BareLineFeedHead_IsBadGateway()
    {
        var path = On("bare-lf", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", keep: false);
        var result = await RawHttp.SendAsync(H.Port, path);
        Assert.Equal(502, result.Status);
    }

    [Fact]
    public async Task Forward_HugeResponseHead_IsBadGateway()
    {
        var path = On("huge", "HTTP/1.1 200 OK\r\nX-Big: " + new string('a', 80_000) + "\r\nContent-Length: 2\r\n\r\nok", keep: false);
        var result = await RawHttp.SendAsync(H.Port, path);
        Assert.Equal(502, result.Status);
    }

    [Fact]
    public async Task Forward_RequestBodyWithLength_ReachesUpstreamExactly()
    {
        var path = On("post-cl", "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        using var api = H.Api();
        var payload = new string('x', 100_000) + "end";
        using var response = await api.PostAsync(path, new StringContent(payload, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/post-cl", StringComparison.Ordinal));
        Assert.Equal(payload, Encoding.UTF8.GetString(received.Body));
        Assert.Equal("100003", received.Header("Content-Length"));
        Assert.StartsWith("POST /raw/post-cl ", received.RequestLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_SmallChunkedRequestBody_IsReadWholeAndSentWithItsLength()
    {
        var path = On("post-chunked", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        var content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("streamed body")));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/post-chunked", StringComparison.Ordinal));
        Assert.False(received.Chunked);
        Assert.Equal("streamed body", Encoding.ASCII.GetString(received.Body));
        Assert.Equal("13", received.Header("Content-Length"));
    }

    [Fact]
    public async Task Forward_LargeChunkedRequestBody_IsRechunkedToUpstream()
    {
        var path = On("post-chunked-large", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        var payload = Encoding.ASCII.GetBytes(new string('s', Vigil.Server.Gateway.Forwarding.Http1Forwarder.ReadAheadLimit + 1000) + "end");
        var content = new StreamContent(new MemoryStream(payload));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/post-chunked-large", StringComparison.Ordinal));
        Assert.True(received.Chunked);
        Assert.Equal(payload, received.Body);
        Assert.False(received.HasHeader("Content-Length"));
    }

    [Fact]
    public async Task MaxRequestBody_AnnouncedLengthOverTheLimit_Is413AndNothingReachesUpstream()
    {
        fixture.Handlers["big-cl"] = ScriptedUpstream.Always("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        using var response = await api.PostAsync("/small/big-cl", new StringContent(new string('x', 2000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("request_too_large", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(fixture.Shared.Requests, r => r.RequestLine.Contains("/small/big-cl", StringComparison.Ordinal));
        await H.FlushLogAsync();
        Assert.Contains(File.ReadLines(H.LogPath), l => l.Contains("/small/big-cl", StringComparison.Ordinal) && l.Contains("request_too_large", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MaxRequestBody_StreamedBodyGrowingPastTheLimit_Is413AndTheUpstreamNeverGetsAWholeRequest()
    {
        fixture.Handlers["big-chunked"] = ScriptedUpstream.Always("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        var content = new StreamContent(new MemoryStream(new byte[3000]));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/small/big-chunked") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(fixture.Shared.Requests, r => r.RequestLine.Contains("/small/big-chunked", StringComparison.Ordinal) && r.Body.Length == 3000);
    }

    [Fact]
    public async Task MaxRequestBody_BodyWithinTheLimit_IsForwarded()
    {
        fixture.Handlers["fits"] = ScriptedUpstream.Always("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        using var response = await api.PostAsync("/small/fits", new StringContent(new string('y', 1024)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(fixture.Shared.Requests, r => r.RequestLine.Contains("/small/fits", StringComparison.Ordinal) && r.Body.Length == 1024);
    }

    [Theory]
    [InlineData("/strip/app/x?q=1", "GET /base/app/x?q=1 HTTP/1.1")]
    [InlineData("/STRIP/app2", "GET /base/app2 HTTP/1.1")]
    [InlineData("/strip", "GET /base/ HTTP/1.1")]
    public async Task StripPath_RoutePrefixIsRemovedBeforeTheUpstreamBasePath(string requested, string expectedLine)
    {
        using var api = H.Api();
        (await api.GetAsync(requested)).Dispose();
        Assert.Contains(fixture.Shared.Requests, r => r.RequestLine == expectedLine);
        await H.FlushLogAsync();
        // Policy and the decision log still see the path the client asked for.
        var path = requested.Split('?')[0];
        Assert.Contains(File.ReadLines(H.LogPath), l => l.Contains($"\"path\":\"{path}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PreserveHost_ClientHostReachesTheUpstream_OtherRoutesGetTheUpstreamsOwn()
    {
        using var api = H.Api();
        (await api.GetAsync("/keephost/h1")).Dispose();
        Assert.Equal($"127.0.0.1:{H.Port}", fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/keephost/h1", StringComparison.Ordinal)).Header("Host"));
        (await api.GetAsync("/raw/h2")).Dispose();
        Assert.Equal($"127.0.0.1:{fixture.Shared.Port}", fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/h2", StringComparison.Ordinal)).Header("Host"));
    }

    [Fact]
    public async Task Forward_HopByHopAndProxyHeaders_NeverReachUpstream()
    {
        var path = On("hop", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        // One Connection header naming X-Secret, on a kept-alive connection (the upstream answers with a length).
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", H.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET {path}?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: X-Secret\r\nX-Secret: s\r\nProxy-Authorization: Basic eDp5\r\n" +
            "TE: trailers\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\nX-Kept: kept\r\n\r\n"));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        var result = new { Status = int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(200, result.Status);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/hop", StringComparison.Ordinal));
        Assert.Equal($"GET /raw/hop?q=1 HTTP/1.1", received.RequestLine);
        foreach (var name in new[] { "X-Secret", "Proxy-Authorization", "TE", "Keep-Alive", "Proxy-Connection", "Connection" })
        {
            Assert.False(received.HasHeader(name), name + " was forwarded: " + received.Head);
        }

        Assert.Equal("kept", received.Header("X-Kept"));
        Assert.Equal("1", received.Header("Upgrade-Insecure-Requests"));
        Assert.Equal($"127.0.0.1:{fixture.Shared.Port}", received.Header("Host"));
        Assert.Equal("127.0.0.1", received.Header("X-Forwarded-For"));
        Assert.Equal("127.0.0.1", received.Header("X-Forwarded-Host"));
        Assert.Equal("allow", received.Header("X-Vigil-Decision"));
    }

    [Fact]
    public async Task Forward_ResponseHopByHopVigilCookiesAndForgedRequestId_AreDropped()
    {
        var path = On("resp-hop", "HTTP/1.1 200 OK\r\nConnection: X-Internal\r\nX-Internal: secret\r\nKeep-Alive: timeout=5\r\n" +
            "Set-Cookie: __vigil_session=evil; Path=/\r\nSet-Cookie: app=1; Path=/\r\nX-Vigil-Request-Id: forged\r\nContent-Length: 2\r\n\r\nok");
        var result = await RawHttp.SendAsync(H.Port, path);
        Assert.Equal(200, result.Status);
        Assert.Null(result.Header("X-Internal"));
        Assert.Null(result.Header("Keep-Alive"));
        Assert.DoesNotContain("__vigil_session", result.Head, StringComparison.Ordinal);
        Assert.Contains("Set-Cookie: app=1; Path=/", result.Head, StringComparison.Ordinal);
        Assert.NotEqual("forged", result.Header("X-Vigil-Request-Id"));
        Assert.DoesNotContain("forged", result.Head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_Latin1ResponseHeaderBytes_PassThroughUnchanged()
    {
        var path = On("latin1", "HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\nContent-Length: 0\r\n\r\n");
        var result = await RawHttp.SendAsync(H.Port, path);
        Assert.Equal(200, result.Status);
        Assert.Equal("caf\u00e9", result.Header("X-Name"));
    }

    [Fact]
    public async Task Forward_SequentialRequests_ReuseOneConnection()
    {
        fixture.Handlers["keep"] = ScriptedUpstream.Always("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        var before = fixture.Reuse.Connections;
        using var api = H.Api();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ok", await api.GetStringAsync("/reuse/keep"));
        }

        Assert.Equal(before + 1, fixture.Reuse.Connections);
    }

    [Fact]
    public async Task Forward_UpstreamClosedIdleConnection_IsRetriedOrAvoided()
    {
        // The upstream answers as if it kept the connection, then closes it: the pooled connection is dead.
        fixture.Handlers["dead"] = ScriptedUpstream.Always("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", keep: false);
        using var api = H.Api();
        Assert.Equal("ok", await api.GetStringAsync("/stale/dead"));
        await Task.Delay(100); // let the close reach Vigil's side of the socket
        Assert.Equal("ok", await api.GetStringAsync("/stale/dead")); // GET: retried on a fresh connection
        await Task.Delay(100);
        using var post = await api.PostAsync("/stale/dead", new StringContent("body"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode); // POST: the dead connection is detected before sending
        Assert.Equal("ok", await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forward_ExtraBytesAfterResponse_AreNeverServedToTheNextRequest()
    {
        var served = 0;
        fixture.Handlers["smuggle"] = async (request, stream) =>
        {
            var reply = Interlocked.Increment(ref served) == 1
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"
                : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
            return true;
        };
        using var api = H.Api();
        Assert.Equal("ok", await api.GetStringAsync("/smuggle/smuggle"));
        Assert.Equal("clean", await api.GetStringAsync("/smuggle/smuggle"));
        Assert.Equal("clean", await api.GetStringAsync("/smuggle/smuggle"));
    }

    [Fact]
    public async Task Forward_TruncatedBody_AbortsTheClientConnection()
    {
        var path = On("truncated", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", keep: false);
        using var api = H.Api();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.GetStringAsync(path));
    }

    [Fact]
    public async Task Forward_StreamingResponse_ReachesClientBeforeUpstreamFinishes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Handlers["stream"] = async (_, stream) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n6\r\nfirst\n\r\n"u8.ToArray());
            await stream.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await stream.WriteAsync("7\r\nsecond\n\r\n0\r\n\r\n"u8.ToArray());
            return true;
        };
        using var api = H.Api();
        using var response = await api.GetAsync("/raw/stream", HttpCompletionOption.ResponseHeadersRead);
        using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        var read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("first\n", Encoding.ASCII.GetString(buffer, 0, read));
        release.SetResult();
        using var reader = new StreamReader(body);
        Assert.Equal("second\n", await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Forward_UpstreamDown_IsBadGatewayProblem()
    {
        using var api = H.Api();
        api.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        using var response = await api.GetAsync("/down/x");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("upstream_unavailable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forward_LargeBodiesBothWays_ArriveIntact()
    {
        var payload = new byte[(3 * 1024 * 1024) + 17];
        new Random(7).NextBytes(payload);
        fixture.Handlers["large"] = async (request, stream) =>
        {
            // Echo the request body back with a length, in uneven pieces.
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {request.Body.Length}\r\n\r\n"));
            for (var offset = 0; offset < request.Body.Length; offset += 70_001)
            {
                await stream.WriteAsync(request.Body.AsMemory(offset, Math.Min(70_001, request.Body.Length - offset)));
            }

            return true;
        };
        using var api = H.Api();
        using var response = await api.PostAsync("/raw/large", new ByteArrayContent(payload));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Forward_ExpectContinue_BodyStillArrives()
    {
        var path = On("expect", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent("after continue") };
        request.Headers.ExpectContinue = true;
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/expect", StringComparison.Ordinal));
        Assert.Equal("after continue", Encoding.UTF8.GetString(received.Body));
        Assert.False(received.HasHeader("Expect"));
    }

    [Fact]
    public async Task Forward_ManyConcurrentRequests_EachGetsItsOwnAnswer()
    {
        fixture.Handlers["echo"] = async (request, stream) =>
        {
            var marker = request.RequestLine.Split(' ')[1].Split("m=")[1];
            var body = Encoding.ASCII.GetBytes(marker + ":" + Encoding.ASCII.GetString(request.Body));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"));
            await Task.Yield();
            await stream.WriteAsync(body);
            return true;
        };
        using var api = H.Api();
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = i % 2 == 0
                ? await api.GetAsync($"/raw/echo?m={i}")
                : await api.PostAsync($"/raw/echo?m={i}", new StringContent("body" + i));
            return (i, await response.Content.ReadAsStringAsync());
        });
        foreach (var (i, text) in await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(i % 2 == 0 ? $"{i}:" : $"{i}:body{i}", text);
        }
    }

    [Theory]
    [InlineData("length")]
    [InlineData("chunked")]
    [InlineData("close")]
    public async Task Forward_ResponseLargerThanOneRead_ArrivesWhole(string framing)
    {
        // Larger than the forwarder's receive buffer, sent at once: the part after the last flush must still go out.
        var body = string.Concat(Enumerable.Range(0, 5000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));
        var response = framing switch
        {
            "length" => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}",
            "chunked" => $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length - 10:x}\r\n{body[..^10]}\r\na\r\n{body[^10..]}\r\n0\r\n\r\n",
            _ => $"HTTP/1.1 200 OK\r\n\r\n{body}",
        };
        var path = On("whole-" + framing, response, keep: framing != "close");
        using var api = H.Api();
        Assert.Equal(body, await api.GetStringAsync(path).WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Forward_NotModifiedWithLength_IsRelayedWithoutBody()
    {
        var path = On("not-modified", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 1234\r\n\r\n");
        var first = await RawHttp.SendAsync(H.Port, path, headers: ["If-None-Match: \"v1\""]);
        Assert.Equal(304, first.Status);
        Assert.Equal("\"v1\"", first.Header("ETag"));
        Assert.Equal("", first.Body);
        var received = fixture.Shared.Requests.Last(r => r.RequestLine.Contains("/raw/not-modified", StringComparison.Ordinal));
        Assert.Equal("\"v1\"", received.Header("If-None-Match"));
    }

    [Fact]
    public async Task Forward_OneOfTwoUpstreamsDown_EveryRequestStillSucceeds()
    {
        fixture.Handlers["lb"] = async (request, stream) =>
        {
            var body = Encoding.ASCII.GetBytes("got:" + Encoding.ASCII.GetString(request.Body));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n"));
            await stream.WriteAsync(body);
            return true;
        };
        using var api = H.Api();
        for (var i = 0; i < 6; i++)
        {
            // A refused connection sent nothing, so the request (body included) goes to the other upstream.
            using var response = i % 2 == 0 ? await api.GetAsync("/lb/lb") : await api.PostAsync("/lb/lb", new StringContent("payload" + i));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(i % 2 == 0 ? "got:" : "got:payload" + i, await response.Content.ReadAsStringAsync());
        }
    }
}
