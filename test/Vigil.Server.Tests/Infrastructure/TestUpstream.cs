using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>What the upstream received.</summary>
public sealed record ReceivedRequest(string Method, string RawTarget, string Path, IReadOnlyDictionary<string, string[]> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? string.Join(",", v) : null;
}

/// <summary>A real Kestrel upstream on loopback that records every request it receives.</summary>
public sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>Runs for every request as it arrives, before the upstream answers (on the request's thread).</summary>
    public Action<ReceivedRequest>? OnRequest { get; set; }

    public static async Task<TestUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NullLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TestUpstream? self = null;
        app.UseWebSockets();
        app.Run(async context =>
        {
            var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.Method, raw, context.Request.Path.Value ?? "", headers);
            self!.Received.Enqueue(request);
            self.OnRequest?.Invoke(request);
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
                var buffer = new byte[1024];
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                var user = context.Request.Headers["X-Vigil-User"].ToString();
                var reply = System.Text.Encoding.UTF8.GetBytes("echo:" + System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count) + ":" + user);
                await socket.SendAsync(reply, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.Append("Set-Cookie", "__vigil_session=planted-by-upstream; Path=/");
            context.Response.Headers.Append("Set-Cookie", "app_cookie=1; Path=/");
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"<html><body><h1 id=\"greeting\">upstream {WebUtility.HtmlEncode(context.Request.Headers["X-Vigil-Email"].ToString())}</h1><p id=\"path\">{WebUtility.HtmlEncode(raw)}</p></body></html>").ConfigureAwait(false);
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new TestUpstream(app, address);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class NullLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
