using Microsoft.Extensions.Logging;

namespace Vigil.Server.Gateway;

internal sealed partial class GatewayState
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Configuration reloaded from {Path}: {Routes} routes")]
    private static partial void LogReloaded(ILogger logger, string path, int routes);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Configuration reload from {Path} failed; keeping the last good configuration. {Errors}")]
    private static partial void LogReloadFailed(ILogger logger, string path, string errors);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Changed settings that are read at start-up only keep their start-up values until Vigil is restarted: {Settings}")]
    private static partial void LogRestartRequired(ILogger logger, string settings);
}
