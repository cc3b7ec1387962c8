using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vigil.Server.Gateway;

/// <summary>Denial and error responses: an HTML page for browsers, <c>application/problem+json</c> for everyone else.</summary>
internal static class GatewayResponses
{
    public static bool IsBrowser(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static Task WriteProblemAsync(HttpContext context, int status, string title, string code, string detail, string requestId)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.CacheControl = "no-store";
        if (IsBrowser(context.Request))
        {
            response.ContentType = "text/html; charset=utf-8";
            var enc = HtmlEncoder.Default;
            var html = $$"""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>{{enc.Encode(title)}} · Vigil</title>
                <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
                h1{font-size:1.6rem}code{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}.muted{color:#666}</style></head>
                <body><h1>{{status}} · {{enc.Encode(title)}}</h1>
                <p id="reason">{{enc.Encode(detail)}}</p>
                <p class="muted">Reason code: <code id="code">{{enc.Encode(code)}}</code><br>Request id: <code id="request-id">{{enc.Encode(requestId)}}</code></p>
                <p class="muted">If you think you should have access, send the request id to your administrator.</p>
                <p><a href="/.vigil/logout">Sign out</a></p></body></html>
                """;
            return response.WriteAsync(html);
        }

        response.ContentType = "application/problem+json";
        return response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["type"] = "https://vigil.dev/problems/" + code,
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
            ["code"] = code,
            ["requestId"] = requestId,
        }));
    }
}
