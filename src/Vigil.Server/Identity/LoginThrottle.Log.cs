using Microsoft.Extensions.Logging;

namespace Vigil.Server.Identity;

internal sealed partial class LoginThrottle
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Login ban: {Key} for {Duration} (last failure from {Ip})")]
    private static partial void LogBan(ILogger logger, string key, TimeSpan duration, string ip);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Login ban lifted: {Key}")]
    private static partial void LogUnban(ILogger logger, string key);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Login refused for {Key} from {Ip}: the store holding login failures and bans cannot be used")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string key, string ip);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Login throttle state of {Key} (from {Ip}) could not be written to the store; failures are not counted until it can")]
    private static partial void LogFailureNotCounted(ILogger logger, Exception exception, string key, string ip);
}
