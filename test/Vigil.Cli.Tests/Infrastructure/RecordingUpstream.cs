using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Cli.Tests.Infrastructure;

/// <summary>
/// A real Kestrel upstream on loopback that notes the <c>X-Vigil-Request-Id</c> of every request as it arrives, and
/// signals <see cref="Reached"/> when <c>signalAt</c> requests have arrived.
/// </summary>
internal sealed class RecordingUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    private RecordingUpstream(WebApplication app, int signalAt)
    {
        _app = app;
        SignalAt = signalAt;
    }

    public int Port { get; private set; }

    public int SignalAt { get; }

    /// <summary>Request ids in arrival order (<c>(none)</c> for a request without one).</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<RecordingUpstream> StartAsync(int signalAt)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NullLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new RecordingUpstream(app, signalAt);
        app.Run(context =>
        {
            upstream.Received.Enqueue(context.Request.Headers["X-Vigil-Request-Id"].ToString() is { Length: > 0 } id ? id : "(none)");
            if (Interlocked.Increment(ref upstream._count) == upstream.SignalAt)
            {
                upstream.Reached.TrySetResult();
            }

            return context.Response.WriteAsync("ok\n");
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        upstream.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return upstream;
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
