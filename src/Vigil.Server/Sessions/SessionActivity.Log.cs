using Microsoft.Extensions.Logging;

namespace Vigil.Server.Sessions;

internal sealed partial class SessionActivity
{
    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Session {SessionId} could not be recorded in the store; it works but is not listed by 'vigil sessions list'")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Writing session last-seen times to the store failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Pruned {Count} expired sessions")]
    private static partial void LogPruned(ILogger logger, int count);
}
