using Microsoft.Extensions.Logging;

namespace Vigil.Server.Sessions;

internal sealed partial class RevocationBus
{
    [LoggerMessage(EventId = 4020, Level = LogLevel.Warning, Message = "Redis at {Endpoint} is unreachable; revocations from other nodes arrive by polling the store until it is back (reconnecting by itself)")]
    private static partial void LogUnreachable(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "Lost the {ConnectionType} connection to Redis at {Endpoint} ({FailureType}); revocations arrive by polling the store until it is back")]
    private static partial void LogConnectionLost(ILogger logger, string endpoint, string connectionType, string failureType);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Information, Message = "Connected ({ConnectionType}) to Redis at {Endpoint} again")]
    private static partial void LogConnectionRestored(ILogger logger, string endpoint, string connectionType);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "Could not publish a revocation to Redis at {Endpoint} ({Error}); it is in the store, and other nodes pick it up by polling")]
    private static partial void LogPublishFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Information, Message = "Publishing revocations to Redis at {Endpoint} works again")]
    private static partial void LogPublishRecovered(ILogger logger, string endpoint);
}
