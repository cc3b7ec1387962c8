using Microsoft.Extensions.Hosting;
using Vigil.Server.Gateway;

namespace Vigil.Server.Configuration;

/// <summary>
/// Watches the configuration file and the policy directories; a change reloads routes and policies after a short
/// quiet period. A reload that fails keeps the last good configuration (and logs why).
/// </summary>
internal sealed class ConfigWatcher(GatewayState state, string configPath) : IHostedService, IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];
    private Timer? _debounce;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _debounce = new Timer(_ => state.Reload(configPath), null, Timeout.Infinite, Timeout.Infinite);
        Watch(Path.GetDirectoryName(Path.GetFullPath(configPath))!, Path.GetFileName(configPath), false);
        foreach (var directory in state.Current.Config.Policies.Directories)
        {
            Watch(directory, "*", true);
        }

        return Task.CompletedTask;
    }

    private void Watch(string directory, string filter, bool recursive)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        var watcher = new FileSystemWatcher(directory, filter)
        {
            IncludeSubdirectories = recursive,
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += OnChange;
        watcher.Created += OnChange;
        watcher.Deleted += OnChange;
        watcher.Renamed += OnChange;
        watcher.EnableRaisingEvents = true;
        _watchers.Add(watcher);
    }

    private void OnChange(object sender, FileSystemEventArgs e) => _debounce?.Change(250, Timeout.Infinite);

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        _watchers.Clear();
        _debounce?.Dispose();
        _debounce = null;
    }
}
