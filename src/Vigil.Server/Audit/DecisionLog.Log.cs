using Microsoft.Extensions.Logging;

namespace Vigil.Server.Audit;

public sealed partial class DecisionLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Decision log record dropped ({Kind}, request {RequestId})")]
    private static partial void LogDropped(ILogger logger, string kind, string? requestId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Decision log write failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Critical, Message = "Decision log records {First}..{Last} are missing at the end of the file (checkpoint ahead of the file); the chain continues from the checkpoint so verify reports the gap")]
    private static partial void LogTruncated(ILogger logger, long first, long last);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Decision log rotated to {RotatedPath} (last seq {Seq}); the chain continues in a new file")]
    private static partial void LogRotated(ILogger logger, string rotatedPath, long seq);
}
