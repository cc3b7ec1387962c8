using Microsoft.Extensions.Hosting;

namespace Vigil.Server.Admin;

/// <summary>
/// Vigil is hosted by the CLI or by tests, which own Ctrl+C/SIGTERM handling and call StopAsync themselves;
/// the default console lifetime would swallow the signal and wait for a stop that nobody requests.
/// </summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
