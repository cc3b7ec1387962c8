using Microsoft.Extensions.Logging;

namespace Vigil.Server.Sessions;

internal sealed partial class RevocationListener
{
    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Subscribed to revocations on {Channel} at Redis {Endpoint}; the store was read again to cover any gap")]
    private static partial void LogLive(ILogger logger, string endpoint, string channel);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Debug, Message = "Not subscribed to Redis at {Endpoint} yet ({Error}); retrying")]
    private static partial void LogNotSubscribed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Warning, Message = "Ignored a message on {Channel}: {Reason} ({Suppressed} more ignored since the last such warning)")]
    private static partial void LogIgnored(ILogger logger, string channel, string reason, long suppressed);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Debug, Message = "Applied a {Kind} revocation of {Id} from the bus")]
    private static partial void LogApplied(ILogger logger, string kind, string id);

    [LoggerMessage(EventId = 4034, Level = LogLevel.Error, Message = "Handling a message from the revocation bus failed; it was ignored")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4035, Level = LogLevel.Warning, Message = "Reading revocations from the store after (re)subscribing failed; the periodic reload keeps trying")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
