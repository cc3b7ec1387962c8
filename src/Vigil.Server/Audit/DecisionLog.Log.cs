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

    [LoggerMessage(EventId = 3005, Level = LogLevel.Critical, Message = "Decision log {Path} cannot be written; decisions are not being recorded until it can (with audit.on_failure: deny the gateway refuses requests meanwhile)")]
    private static partial void LogFailing(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Decision log {Path} is writable again; records lost meanwhile show as removed records in `vigil audit verify`")]
    private static partial void LogRecovered(ILogger logger, string path);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Critical, Message = "Decision log backlog over {MaxPending} records: new records are dropped until the writer catches up")]
    private static partial void LogDroppingStarted(ILogger logger, long maxPending);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Decision log backlog drained; {Dropped} records dropped in total since start")]
    private static partial void LogDroppingEnded(ILogger logger, long dropped);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Critical, Message = "Decision log writer stopped unexpectedly; no further decisions are recorded")]
    private static partial void LogWriterStopped(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Decision log {Path} ended in a cut-off line ({Bytes} bytes: the process stopped while writing it); removed before the chain continues")]
    private static partial void LogTornTailCut(ILogger logger, long bytes, string path);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "A request resumed by the decision log writer threw from its continuation; the writer continues")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);
}
