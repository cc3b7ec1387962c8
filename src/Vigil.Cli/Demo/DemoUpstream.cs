using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vigil.Cli.Demo;

/// <summary>The demo's protected application: a page that shows the identity Vigil passed to it.</summary>
internal static class DemoUpstream
{
    public static async Task<(WebApplication App, Uri Address)> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, NoLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(Render(context.Request), ct));
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    private static string Render(HttpRequest request)
    {
        var enc = HtmlEncoder.Default;
        var rows = new StringBuilder();
        foreach (var header in request.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (header.Key.StartsWith("X-Vigil-", StringComparison.OrdinalIgnoreCase) || header.Key.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase) || header.Key == "Cookie")
            {
                var value = header.Key.Equals("X-Vigil-Assertion", StringComparison.OrdinalIgnoreCase) ? DecodePayload(header.Value.ToString()) : header.Value.ToString();
                rows.Append($"<tr><th>{enc.Encode(header.Key)}</th><td><code>{enc.Encode(value)}</code></td></tr>");
            }
        }

        request.HttpContext.Response.ContentType = "text/html; charset=utf-8";
        var user = request.Headers["X-Vigil-User"].ToString();
        var email = request.Headers["X-Vigil-Email"].ToString();
        return $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo app · behind Vigil</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem;vertical-align:top}
            code{word-break:break-all}nav a{margin-right:1rem}</style></head><body>
            <h1 id="greeting">Hello {{enc.Encode(email.Length > 0 ? email : user.Length > 0 ? user : "anonymous")}}</h1>
            <p>This page is the protected application. It received <code id="path">{{enc.Encode(request.Method)}} {{enc.Encode(request.Path + request.QueryString)}}</code> through Vigil with these identity headers:</p>
            <table id="headers">{{rows}}</table>
            <nav><p><a href="/">Home (internal)</a><a href="/admin">Admin (restricted: admin + fresh MFA)</a><a href="/reports">Reports (confidential, audit mode)</a><a href="/public">Public</a><a href="/.vigil/logout">Sign out</a></p></nav>
            </body></html>
            """;
    }

    private static string DecodePayload(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return jwt;
        }

        try
        {
            var json = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            using var doc = JsonDocument.Parse(json);
            return "ES256 JWT, payload " + JsonSerializer.Serialize(doc.RootElement);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return jwt;
        }
    }

    private sealed class NoLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
