using Microsoft.Extensions.Logging;

namespace Vigil.Server.Identity.WebAuthn;

internal sealed partial class WebAuthnService
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "WebAuthn {Ceremony} refused for {User}: {Outcome} {Detail}")]
    private static partial void LogRefused(ILogger logger, WebAuthnCeremony ceremony, string user, WebAuthnOutcome outcome, string detail);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "WebAuthn credential '{Name}' ({CredentialId}) of {User}: signature counter did not increase (stored {Stored}, received {Received}); the authenticator may have been cloned. Sign-in refused")]
    private static partial void LogCloned(ILogger logger, string name, string credentialId, string user, long stored, uint received);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "WebAuthn credential '{Name}' registered for {User} (AAGUID {AaGuid})")]
    private static partial void LogRegistered(ILogger logger, string name, string user, string aaGuid);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "WebAuthn credential '{Name}' removed for {User}")]
    private static partial void LogRemoved(ILogger logger, string name, string user);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Error, Message = "WebAuthn {Ceremony} refused for {User}: the store holding challenges cannot be used")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, WebAuthnCeremony ceremony, string user);
}
