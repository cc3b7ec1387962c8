using Microsoft.Extensions.Logging;

namespace Vigil.Server.Gateway;

internal sealed partial class GatewayMiddleware
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Authentication failed for request {RequestId}; denying")]
    private static partial void LogAuthenticationFailed(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Decision failed for request {RequestId}; denying")]
    private static partial void LogDecisionFailed(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Policy error for request {RequestId} on route {Route}: {Error}; denying")]
    private static partial void LogPolicyError(ILogger logger, string requestId, string route, string error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Forwarding request {RequestId} on route {Route} failed: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, string requestId, string route, string error);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Upstream {Upstream} of route {Route} refused a connection; left out of the rotation for {Seconds} s")]
    private static partial void LogUpstreamDown(ILogger logger, string upstream, string route, double seconds);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Request {RequestId} on route {Route} refused: the client's body broke HTTP/1.1 framing (400)")]
    private static partial void LogClientBodyRefused(ILogger logger, string requestId, string route);
}
