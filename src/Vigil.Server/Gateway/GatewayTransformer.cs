using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Server.Gateway;

/// <summary>Per-request facts the transformer needs (set by the gateway before forwarding).</summary>
internal sealed class ForwardContext
{
    public required string Path { get; init; }
    public required string Query { get; init; }
    public required string Host { get; init; }
    public required IPAddress ClientIp { get; init; }
    public required string RequestId { get; init; }
    public required string Decision { get; init; }
    public Sessions.Subject? Subject { get; init; }
    public string? Assertion { get; init; }
}

/// <summary>
/// Shapes the upstream request: exactly the normalized path, no client-sent identity or forwarding headers,
/// none of Vigil's cookies, fresh <c>X-Forwarded-*</c>, and Vigil's identity headers plus the signed assertion.
/// Upstream attempts to set Vigil's cookies are dropped.
/// </summary>
internal sealed class GatewayTransformer(string sessionCookieName) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        var forward = httpContext.Features.Get<ForwardContext>() ?? throw new InvalidOperationException("missing forward context");

        List<string>? remove = null;
        foreach (var header in proxyRequest.Headers)
        {
            if (IdentityHeaders.IsReserved(header.Key) || header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                (remove ??= []).Add(header.Key);
            }
        }

        if (remove is not null)
        {
            foreach (var name in remove)
            {
                proxyRequest.Headers.Remove(name);
            }
        }

        if (proxyRequest.Content is not null)
        {
            remove = null;
            foreach (var header in proxyRequest.Content.Headers)
            {
                if (IdentityHeaders.IsReserved(header.Key))
                {
                    (remove ??= []).Add(header.Key);
                }
            }

            remove?.ForEach(n => proxyRequest.Content.Headers.Remove(n));
        }

        var cookie = FilterCookies(httpContext.Request.Headers.Cookie);
        if (cookie is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        var headers = proxyRequest.Headers;
        headers.TryAddWithoutValidation("X-Forwarded-For", forward.ClientIp.ToString());
        headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
        headers.TryAddWithoutValidation("X-Forwarded-Host", forward.Host);
        headers.TryAddWithoutValidation(IdentityHeaders.RequestId, forward.RequestId);
        headers.TryAddWithoutValidation(IdentityHeaders.Decision, forward.Decision);
        if (forward.Subject is { IsAuthenticated: true } subject)
        {
            headers.TryAddWithoutValidation(IdentityHeaders.User, IdentityHeaders.Sanitize(subject.Id));
            headers.TryAddWithoutValidation(IdentityHeaders.SubjectType, subject.Type);
            if (subject.Email is not null)
            {
                headers.TryAddWithoutValidation(IdentityHeaders.Email, IdentityHeaders.Sanitize(subject.Email));
            }

            if (subject.Name is not null)
            {
                headers.TryAddWithoutValidation(IdentityHeaders.Name, IdentityHeaders.Sanitize(subject.Name));
            }

            headers.TryAddWithoutValidation(IdentityHeaders.Roles, IdentityHeaders.Sanitize(string.Join(',', subject.Roles)));
            headers.TryAddWithoutValidation(IdentityHeaders.Groups, IdentityHeaders.Sanitize(string.Join(',', subject.Groups)));
        }

        if (forward.Assertion is not null)
        {
            headers.TryAddWithoutValidation(IdentityHeaders.Assertion, forward.Assertion);
        }

        proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + forward.Path + forward.Query, UriKind.Absolute);
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
                if (value is not null && !IsVigilCookie(value.AsSpan(0, Math.Max(0, value.IndexOf('=', StringComparison.Ordinal))).Trim().ToString()))
                {
                    kept.Add(value);
                }
            }

            httpContext.Response.Headers.SetCookie = new StringValues(kept.ToArray());
        }

        return result;
    }

    private string? FilterCookies(StringValues cookies)
    {
        if (cookies.Count == 0)
        {
            return null;
        }

        List<string>? kept = null;
        foreach (var header in cookies)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var part in header.Split(';'))
            {
                var trimmed = part.Trim();
                if (trimmed.Length == 0)
                {
                    continue;
                }

                var eq = trimmed.IndexOf('=', StringComparison.Ordinal);
                var name = eq < 0 ? trimmed : trimmed[..eq].Trim();
                if (!IsVigilCookie(name))
                {
                    (kept ??= []).Add(trimmed);
                }
            }
        }

        return kept is null ? null : string.Join("; ", kept);
    }

    private bool IsVigilCookie(string name) =>
        name.StartsWith(sessionCookieName, StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("__vigil", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith(".AspNetCore.", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("__Host-vigil", StringComparison.OrdinalIgnoreCase);
}
