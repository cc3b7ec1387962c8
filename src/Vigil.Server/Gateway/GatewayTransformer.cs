using System.Collections.Frozen;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Server.Gateway.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Server.Gateway;

/// <summary>Per-request facts the transformer needs (set by the gateway before forwarding).</summary>
internal sealed class ForwardContext
{
    /// <summary>The path sent upstream: the normalized path, without the route's prefix when the route strips it.</summary>
    public required string Path { get; init; }
    public required string Query { get; init; }

    /// <summary>The normalized client host (for X-Forwarded-Host).</summary>
    public required string Host { get; init; }

    /// <summary>The Host header sent upstream; null: the upstream URL's authority.</summary>
    public string? UpstreamHost { get; init; }
    public required string ClientIp { get; init; }
    public required string RequestId { get; init; }
    public required string Decision { get; init; }
    public Sessions.Subject? Subject { get; init; }
    public string? Assertion { get; init; }

    /// <summary>Client headers the route passes through although they belong to a stripped family; null: none.</summary>
    public FrozenSet<string>? PassHeaders { get; init; }

    /// <summary>The route's upstream timeout.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = Configuration.RouteConfig.DefaultUpstreamTimeout;
}

/// <summary>
/// Shapes the upstream request on the YARP path (upgrades such as WebSockets) exactly as <see cref="Http1Forwarder"/>
/// does for everything else: the normalized path, headers per <see cref="ForwardHeaders"/>, Vigil's identity headers
/// and assertion. Upstream attempts to set Vigil's cookies are dropped.
/// </summary>
internal sealed class GatewayTransformer(string sessionCookieName) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var forward = httpContext.Features.Get<ForwardContext>() ?? throw new InvalidOperationException("missing forward context");
        var connection = httpContext.Request.Headers.Connection;
        RemoveNotCopied(proxyRequest.Headers, connection, forward.PassHeaders);
        if (proxyRequest.Content is not null)
        {
            RemoveNotCopied(proxyRequest.Content.Headers, connection, forward.PassHeaders, keepFraming: true);
        }

        if (ForwardHeaders.FilterCookies(httpContext.Request.Headers.Cookie, sessionCookieName) is { } cookie)
        {
            proxyRequest.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        var sink = new MessageSink(proxyRequest.Headers);
        ForwardHeaders.AddVigilHeaders(ref sink, forward, httpContext.Request.Scheme);
        proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + forward.Path + forward.Query, UriKind.Absolute);
        // One host rule for every path: the client's (normalized) host only when the route preserves it, else the
        // upstream URL's authority, which the handler writes when no Host is set (the base transform may have copied
        // the client's).
        proxyRequest.Headers.Host = forward.UpstreamHost;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        var setCookie = httpContext.Response.Headers.SetCookie;
        if (setCookie.Count > 0)
        {
            var kept = new List<string?>(setCookie.Count);
            foreach (var value in setCookie)
            {
                if (value is not null && !ForwardHeaders.SetsVigilCookie(value, sessionCookieName))
                {
                    kept.Add(value);
                }
            }

            httpContext.Response.Headers.SetCookie = new StringValues(kept.ToArray());
        }

        return result;
    }

    private static void RemoveNotCopied(System.Net.Http.Headers.HttpHeaders headers, StringValues connection, FrozenSet<string>? pass, bool keepFraming = false)
    {
        List<string>? remove = null;
        foreach (var header in headers)
        {
            // YARP already drops hop-by-hop headers and sets Host; the upgrade handshake headers must stay.
            var name = header.Key;
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) ||
                name.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase) ||
                (keepFraming && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (!ForwardHeaders.IsCopiedRequestHeader(name, connection, pass))
            {
                (remove ??= []).Add(name);
            }
        }

        remove?.ForEach(n => headers.Remove(n));
    }

    private readonly struct MessageSink(System.Net.Http.Headers.HttpRequestHeaders headers) : IHeaderSink
    {
        public void Add(string name, string value) => headers.TryAddWithoutValidation(name, value);
    }
}
