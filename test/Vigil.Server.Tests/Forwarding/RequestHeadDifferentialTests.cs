using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Server.Gateway;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Sessions;
using Vigil.Server.Tests.Properties;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>One request as the gateway hands it to the forwarder, after normalization and the decision.</summary>
public sealed record ForwardedRequest(
    string Method, string BaseUrl, string Path, string Query, string? UpstreamHost, (string Name, string Value)[] Headers,
    long? ContentLength, bool ChunkedBody, bool Authenticated, string UserName, string? Assertion)
{
    public override string ToString() =>
        $"{Method} {BaseUrl} path {ResponseCase.Escape(Path)} query {ResponseCase.Escape(Query)} host {UpstreamHost} length {ContentLength} " +
        $"chunked {ChunkedBody} user {(Authenticated ? ResponseCase.Escape(UserName) : "-")} assertion {Assertion is not null}\n  headers: " +
        string.Join(", ", Headers.Select(h => ResponseCase.Escape(h.Name) + ": " + ResponseCase.Escape(h.Value)));
}

/// <summary>
/// The request heads Vigil writes upstream (<see cref="Http1Forwarder.WriteRequestHead"/>), parsed back by llhttp: for
/// generated requests (llhttp's methods, paths and queries the normalizer lets through, odd but legal header names and
/// values, framing, cookies, identity headers) llhttp must read the same method, target, Host and header lines, in
/// order, that the forwarder decided to send; a head with a character HTTP does not allow must be refused instead.
/// </summary>
[Collection(LlhttpCollection.Name)]
public sealed class RequestHeadDifferentialTests(Llhttp llhttp)
{
    private const string SessionCookie = "__vigil_session";
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~");

    [Theory]
    [InlineData("GET", "/", "", "x: 1")]
    [InlineData("PROPFIND", "/a/%C3%A9/b~c", "?q=%20&r=\"<>{}|^`[]", "Accept: */*")]
    [InlineData("POST", "/x", "", "X-Value: caf\u00e9 \u20ac \t tabs inside")]
    [InlineData("GET", "/x", "", "!#$%&'*+-.^_`|~09azAZ: odd but legal name")]
    [InlineData("GET", "/x", "", "Connection: X-Drop, keep-alive\nX-Drop: 1\nX-Keep: 2")]
    [InlineData("GET", "/x", "", "Cookie: a=1; __vigil_session=s\nCookie: b=2")]
    public async Task Examples_RoundTripThroughLlhttp(string method, string path, string query, string headers)
    {
        var request = new ForwardedRequest(method, "http://up.example:8080/base", path, query, null,
            headers.Split('\n').Select(h => (h[..h.IndexOf(':', StringComparison.Ordinal)], h[(h.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToArray(),
            method == "POST" ? 5 : null, false, true, "alice", "e30.e30.sig");
        var failure = await CompareAsync(request);
        Assert.True(failure is null, failure);
    }

    [Theory]
    [InlineData("X-A", "a\u0001b")]
    [InlineData("X-A", "a\u007fb")]
    [InlineData("X-A", "a\rb")]
    [InlineData("X-A", "a\nb")]
    [InlineData("X-A", "a\0b")]
    [InlineData("X A", "1")]
    [InlineData("X@A", "1")]
    [InlineData("X-\u00e9", "1")]
    [InlineData("X-A\t", "1")]
    public async Task IllegalHeader_IsRefusedNotWritten(string name, string value)
    {
        var request = new ForwardedRequest("GET", "http://up.example", "/", "", null, [(name, value)], null, false, false, "", null);
        var failure = await CompareAsync(request);
        Assert.True(failure is null, failure);
    }

    [Fact]
    public async Task Generated_RoundTripThroughLlhttp()
    {
        // CI: 2,000 requests from a fixed seed; VIGIL_LONG_PROPERTY_RUNS=1: 100,000 from random seeds.
        await PropertyRuns.SampleAsync(RequestCases.Any, async request =>
        {
            var failure = await CompareAsync(request);
            if (failure is not null)
            {
                throw new InvalidOperationException(failure);
            }
        }, seed: 20261127, count: 2_000, longCount: 100_000);
    }

    private async Task<string?> CompareAsync(ForwardedRequest request)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = request.Method;
        context.Request.Scheme = "https";
        foreach (var group in request.Headers.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
        {
            context.Request.Headers[group.Key] = new StringValues(group.Select(h => h.Value).ToArray());
        }

        context.Request.ContentLength = request.ContentLength;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.ChunkedBody);
        var subject = request.Authenticated
            ? new Subject { Id = request.UserName, Type = SubjectTypes.User, Name = request.UserName, Email = request.UserName + "@example.com", Roles = ["admin", request.UserName] }
            : null;
        var forward = new ForwardContext
        {
            Path = request.Path, Query = request.Query, Host = "gateway.example", UpstreamHost = request.UpstreamHost, ClientIp = "2001:db8::1",
            RequestId = "0HN7REQUEST:00000001", Decision = "allow", Subject = subject, Assertion = request.Assertion,
        };
        using var watchdog = new UpstreamWatchdog(TimeProvider.System);
        using var pool = new ConnectionPool(TimeProvider.System, watchdog);
        var destination = new UpstreamDestination(new Uri(request.BaseUrl), pool);

        var decided = Decide(context, destination, forward, hasBody);
        var legal = decided.All(h => h.Name.Length > 0 && h.Name.AsSpan().IndexOfAnyExcept(TokenChars) < 0 && !h.Value.Any(c => (c < ' ' && c != '\t') || c == '\u007f'));
        var writer = new ArrayBufferWriter<byte>();
        try
        {
            Http1Forwarder.WriteRequestHead(writer, context, destination, forward, SessionCookie, hasBody, request.ContentLength);
        }
        catch (UpstreamProtocolException ex)
        {
            return legal ? $"Vigil refuses a legal head ({ex.Message})\n  request: {request}" : null;
        }

        var head = writer.WrittenSpan.ToArray();
        var oracle = await llhttp.ParseRequestAsync(head);
        var problem = Difference(request, destination, forward, decided, legal, oracle);
        return problem is null ? null : $"{problem}\n  request: {request}\n  written: {ResponseCase.Escape(Encoding.Latin1.GetString(head))}\n  llhttp:  {oracle.GetRawText()}";
    }

    /// <summary>The header lines the forwarder means to send after Host, from the same decisions it takes (ForwardHeaders).</summary>
    private static List<(string Name, string Value)> Decide(HttpContext context, UpstreamDestination destination, ForwardContext forward, bool hasBody)
    {
        var request = context.Request;
        var decided = new List<(string Name, string Value)>();
        foreach (var header in request.Headers)
        {
            if (ForwardHeaders.IsCopiedRequestHeader(header.Key, request.Headers.Connection, forward.PassHeaders))
            {
                decided.AddRange(header.Value.Where(v => v is not null).Select(v => (header.Key, v!)));
            }
        }

        if (hasBody)
        {
            decided.Add(request.ContentLength is { } length ? ("Content-Length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)) : ("Transfer-Encoding", "chunked"));
        }
        else if (request.ContentLength == 0)
        {
            decided.Add(("Content-Length", "0"));
        }

        if (ForwardHeaders.FilterCookies(request.Headers.Cookie, SessionCookie) is { } cookie)
        {
            decided.Add(("Cookie", cookie));
        }

        var sink = new ListSink(decided);
        ForwardHeaders.AddVigilHeaders(ref sink, forward, request.Scheme);
        return decided;
    }

    private readonly struct ListSink(List<(string Name, string Value)> list) : IHeaderSink
    {
        public void Add(string name, string value) => list.Add((name, value));
    }

    private static string? Difference(ForwardedRequest request, UpstreamDestination destination, ForwardContext forward,
        List<(string Name, string Value)> decided, bool legal, JsonElement oracle)
    {
        if (!oracle.GetProperty("ok").GetBoolean())
        {
            return legal ? "llhttp refuses the head Vigil wrote" : "Vigil wrote a head with a character HTTP does not allow, instead of refusing it";
        }

        if (!legal)
        {
            return "Vigil wrote a head with a character HTTP does not allow, and llhttp took it";
        }

        if (oracle.GetProperty("method").GetString() != request.Method)
        {
            return "the method differs";
        }

        var target = Encoding.ASCII.GetString(destination.BasePath) + forward.Path + forward.Query;
        if (oracle.GetProperty("url").GetString() != target)
        {
            return $"the target differs: decided {target}";
        }

        if (oracle.GetProperty("major").GetInt32() != 1 || oracle.GetProperty("minor").GetInt32() != 1)
        {
            return "not HTTP/1.1";
        }

        var lines = oracle.GetProperty("headers").EnumerateArray().Select(h => (Name: h[0].GetString()!, Value: h[1].GetString()!)).ToList();
        var host = forward.UpstreamHost ?? Encoding.ASCII.GetString(destination.HostHeader);
        if (lines.Count == 0 || lines[0].Name != "Host" || lines[0].Value != host)
        {
            return $"the first header is not Host: {host}";
        }

        if (lines.Count - 1 != decided.Count)
        {
            return $"{lines.Count - 1} header lines read, {decided.Count} decided";
        }

        for (var i = 0; i < decided.Count; i++)
        {
            // llhttp gives Latin-1 strings (a char per byte); Vigil writes values as UTF-8. A field value cannot carry
            // whitespace at its ends (RFC 9110 5.5), so the decided value is compared without it.
            var (name, value) = decided[i];
            var read = lines[i + 1];
            var expected = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(value.Trim(' ', '\t')));
            if (read.Name != name || read.Value != expected)
            {
                return $"header line {i + 1} differs: decided {ResponseCase.Escape(name)}: {ResponseCase.Escape(value)}";
            }
        }

        return null;
    }
}
