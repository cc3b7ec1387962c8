using Microsoft.Extensions.Logging;

namespace Vigil.Server.Identity;

internal sealed partial class LoginThrottle
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Login ban: {Key} for {Duration} (last failure from {Ip})")]
    private static partial void LogBan(ILogger logger, string key, TimeSpan duration, string ip);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Login ban lifted: {Key}")]
    private static partial void LogUnban(ILogger logger, string key);
}
