using Microsoft.Extensions.Logging;
using Vigil.Server.Configuration;

namespace Vigil.Server.Gateway;

/// <summary>Holds the live runtime; a reload swaps it atomically, a failed reload keeps the last good one.</summary>
internal sealed partial class GatewayState(GatewayRuntime initial, GatewayRuntimeFactory factory, ILogger<GatewayState> logger)
{
    private readonly VigilConfig _startup = initial.Config;
    private GatewayRuntime _current = initial;

    public GatewayRuntime Current => Volatile.Read(ref _current);

    /// <summary>Number of successful reloads (tests await it).</summary>
    public int Generation { get; private set; }

    public event Action<int>? Reloaded;

    /// <summary>
    /// Start-up-only settings (<see cref="StartupOnlySettings"/>) whose values in the last loaded file differ from the
    /// ones this process started with: they take effect at the next restart. Empty when there are none.
    /// </summary>
    public IReadOnlyList<string> RestartRequired => StartupOnlySettings.Changed(_startup, Current.Config);

    /// <summary>Tries to apply a new configuration file; returns the errors, or empty on success.</summary>
    public IReadOnlyList<ConfigError> Reload(string path)
    {
        try
        {
            var config = ConfigLoader.LoadFile(path);
            var runtime = factory.Build(config);
            Volatile.Write(ref _current, runtime);
            Generation++;
            LogReloaded(logger, path, config.Routes.Count);
            var pending = RestartRequired;
            if (pending.Count > 0)
            {
                LogRestartRequired(logger, string.Join(", ", pending));
            }

            Reloaded?.Invoke(Generation);
            return [];
        }
        catch (ConfigException ex)
        {
            LogReloadFailed(logger, path, ex.Message);
            return ex.Errors;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogReloadFailed(logger, path, ex.Message);
            return [new ConfigError(ConfigErrorCodes.Missing, path, 0, 0, ex.Message)];
        }
    }
}
