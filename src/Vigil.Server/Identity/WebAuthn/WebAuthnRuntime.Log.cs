using Microsoft.Extensions.Logging;

namespace Vigil.Server.Identity.WebAuthn;

internal sealed partial class WebAuthnRuntime
{
    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Security keys (WebAuthn) are off: the public URL's host {Host} is an IP address, which cannot be a WebAuthn relying party id; use a host name")]
    private static partial void LogDisabled(ILogger logger, string host);
}
