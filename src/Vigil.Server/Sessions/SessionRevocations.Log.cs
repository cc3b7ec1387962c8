using Microsoft.Extensions.Logging;

namespace Vigil.Server.Sessions;

internal sealed partial class SessionRevocations
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Session {SessionId} revoked ({Reason})")]
    private static partial void LogSessionRevoked(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Reloading session revocations from the store failed; keeping the last view")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Error, Message = "Session {SessionId} is revoked on this node but could not be stored; it will be accepted again after a restart or on other nodes")]
    private static partial void LogRevocationNotStored(ILogger logger, Exception exception, string sessionId);
}
