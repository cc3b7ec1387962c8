using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Exceptions;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Vigil.Server.Storage;

namespace Vigil.Server.Identity.WebAuthn;

/// <summary>How a WebAuthn ceremony ended.</summary>
internal enum WebAuthnOutcome
{
    Succeeded,

    /// <summary>WebAuthn is off (public URL with an IP address host).</summary>
    Unavailable,

    /// <summary>No live challenge for this attempt: expired, already used (a replay), or never issued.</summary>
    NoChallenge,

    /// <summary>The browser's response could not be read.</summary>
    Malformed,

    /// <summary>The credential is not one of this user's.</summary>
    UnknownCredential,

    /// <summary>Verification failed: wrong origin, RP id, challenge, type, signature, flags, ...</summary>
    Rejected,

    /// <summary>The signature counter did not increase: possibly a cloned authenticator.</summary>
    ClonedAuthenticator,

    /// <summary>Registration of a credential id that is already registered.</summary>
    AlreadyRegistered,
}

/// <summary>The result of a WebAuthn ceremony; <see cref="UserVerified"/> is the authenticator's UV flag.</summary>
internal sealed record WebAuthnResult(WebAuthnOutcome Outcome, WebAuthnCredentialEntity? Credential = null, bool UserVerified = false, string? Detail = null)
{
    public bool Succeeded => Outcome == WebAuthnOutcome.Succeeded;
}

/// <summary>
/// WebAuthn registration and authentication for users of the built-in provider. Options are created and responses
/// verified by the Fido2 library; this class binds challenges to attempts, stores credentials, and applies the
/// signature-counter rule (a counter that does not increase is refused and logged as a possible clone).
/// </summary>
internal sealed partial class WebAuthnService(VigilDbContext db, WebAuthnRuntime runtime, WebAuthnChallengeStore challenges, TimeProvider time, ILogger<WebAuthnService> logger)
{
    public const int MaxResponseLength = 64 * 1024;
    public const int MaxNameLength = 64;
    public const int MaxCredentialsPerUser = 20;

    // A browser's answer is a few levels deep; anything deeper is hostile.
    private static readonly JsonSerializerOptions ResponseJson = new() { MaxDepth = 16 };

    public bool Enabled => runtime.Enabled;

    public Task<List<WebAuthnCredentialEntity>> ListAsync(string userId, CancellationToken ct = default) =>
        db.WebAuthnCredentials.Where(c => c.UserId == userId).OrderBy(c => c.CreatedAtUnix).ThenBy(c => c.Id).ToListAsync(ct);

    public Task<bool> HasAnyAsync(string userId, CancellationToken ct = default) =>
        db.WebAuthnCredentials.AnyAsync(c => c.UserId == userId, ct);

    /// <summary>Creation options for a new credential of <paramref name="user"/>, bound to <paramref name="binding"/>; null when none can be issued.</summary>
    public async Task<string?> BeginRegistrationAsync(UserEntity user, string binding, CancellationToken ct = default)
    {
        if (runtime.Fido is not { } fido)
        {
            return null;
        }

        var existing = await ListAsync(user.Id, ct).ConfigureAwait(false);
        if (existing.Count >= MaxCredentialsPerUser)
        {
            return null;
        }

        // One user handle per account (random, not the user name), so an authenticator replaces rather than adds.
        var handle = existing.Count > 0 ? Base64Url.DecodeFromChars(existing[0].UserHandle) : RandomNumberGenerator.GetBytes(32);
        var options = fido.RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = handle, Name = user.UserName, DisplayName = user.DisplayName ?? user.UserName },
            ExcludeCredentials = [.. existing.Select(c => new PublicKeyCredentialDescriptor(Base64Url.DecodeFromChars(c.CredentialId)))],
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Discouraged,
                UserVerification = UserVerificationRequirement.Preferred,
            },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = options.ToJson();
        return await PutChallengeAsync(binding, WebAuthnCeremony.Registration, user, json, ct).ConfigureAwait(false);
    }

    /// <summary>Verifies the browser's attestation against the challenge of <paramref name="binding"/> and stores the credential.</summary>
    /// <summary>Takes the attempt's challenge; a store failure refuses the ceremony (fail closed: nothing can be verified without it).</summary>
    private async Task<(string? OptionsJson, WebAuthnResult? Unavailable)> TakeChallengeAsync(WebAuthnCeremony ceremony, UserEntity user, string binding, CancellationToken ct)
    {
        try
        {
            return (await challenges.TakeAsync(binding, ceremony, user.Id, ct).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            LogStoreUnavailable(logger, ex, ceremony, user.UserName);
            return (null, Refused(ceremony, user, new WebAuthnResult(WebAuthnOutcome.NoChallenge, Detail: "store unavailable")));
        }
    }

    public async Task<WebAuthnResult> CompleteRegistrationAsync(UserEntity user, string binding, string responseJson, string? name, CancellationToken ct = default)
    {
        if (runtime.Fido is not { } fido)
        {
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.Unavailable));
        }

        var (optionsJson, unavailable) = await TakeChallengeAsync(WebAuthnCeremony.Registration, user, binding, ct).ConfigureAwait(false);
        if (unavailable is not null)
        {
            return unavailable;
        }

        if (optionsJson is null)
        {
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.NoChallenge));
        }

        if (Parse<AuthenticatorAttestationRawResponse>(responseJson) is not { Response: not null, RawId: not null } raw)
        {
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.Malformed));
        }

        RegisteredPublicKeyCredential registered;
        try
        {
            var options = CredentialCreateOptions.FromJson(optionsJson);
            registered = await fido.MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = raw,
                OriginalOptions = options,
                IsCredentialIdUniqueToUserCallback = async (args, token) =>
                {
                    var id = Base64Url.EncodeToString(args.CredentialId);
                    return !await db.WebAuthnCredentials.AnyAsync(c => c.CredentialId == id, token).ConfigureAwait(false);
                },
            }, ct).ConfigureAwait(false);
        }
        catch (Fido2VerificationException ex)
        {
            var outcome = ex.Code == Fido2ErrorCode.NonUniqueCredentialId ? WebAuthnOutcome.AlreadyRegistered : WebAuthnOutcome.Rejected;
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(outcome, Detail: ex.Code.ToString()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Hostile or broken input (bad CBOR, bad key encoding, ...) is a refusal, never an error page.
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.Malformed, Detail: ex.GetType().Name));
        }

        var credential = new WebAuthnCredentialEntity
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            UserId = user.Id,
            CredentialId = Base64Url.EncodeToString(registered.Id),
            PublicKey = Base64Url.EncodeToString(registered.PublicKey),
            SignCount = registered.SignCount,
            AaGuid = registered.AaGuid.ToString("D"),
            UserHandle = Base64Url.EncodeToString(registered.User.Id),
            Transports = string.Join(',', (registered.Transports ?? []).Select(TransportName)),
            Name = CleanName(name),
            CreatedAtUnix = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        if (credential.CredentialId.Length > 1400 || credential.PublicKey.Length > 2048 || credential.Transports.Length > 128)
        {
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.Malformed, Detail: "credential too large"));
        }

        db.WebAuthnCredentials.Add(credential);
        try
        {
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.Entry(credential).State = EntityState.Detached;
            return Refused(WebAuthnCeremony.Registration, user, new WebAuthnResult(WebAuthnOutcome.AlreadyRegistered));
        }

        LogRegistered(logger, credential.Name, user.UserName, credential.AaGuid);
        return new WebAuthnResult(WebAuthnOutcome.Succeeded, credential);
    }

    /// <summary>Request options listing the user's credentials, bound to <paramref name="binding"/>; null when the user has none.</summary>
    public async Task<string?> BeginAssertionAsync(UserEntity user, string binding, CancellationToken ct = default)
    {
        if (runtime.Fido is not { } fido)
        {
            return null;
        }

        var credentials = await ListAsync(user.Id, ct).ConfigureAwait(false);
        if (credentials.Count == 0)
        {
            return null;
        }

        var options = fido.GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = [.. credentials.Select(c => new PublicKeyCredentialDescriptor(PublicKeyCredentialType.PublicKey, Base64Url.DecodeFromChars(c.CredentialId), ParseTransports(c.Transports)))],
            UserVerification = UserVerificationRequirement.Preferred,
        });
        var json = options.ToJson();
        return await PutChallengeAsync(binding, WebAuthnCeremony.Assertion, user, json, ct).ConfigureAwait(false);
    }

    /// <summary>Verifies the browser's assertion against the challenge of <paramref name="binding"/> and one of the user's credentials.</summary>
    public async Task<WebAuthnResult> CompleteAssertionAsync(UserEntity user, string binding, string responseJson, CancellationToken ct = default)
    {
        if (runtime.Fido is not { } fido)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.Unavailable));
        }

        var (optionsJson, unavailable) = await TakeChallengeAsync(WebAuthnCeremony.Assertion, user, binding, ct).ConfigureAwait(false);
        if (unavailable is not null)
        {
            return unavailable;
        }

        if (optionsJson is null)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.NoChallenge));
        }

        if (Parse<AuthenticatorAssertionRawResponse>(responseJson) is not { Response.AuthenticatorData: not null, RawId.Length: > 0 } raw)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.Malformed));
        }

        var credentialId = Base64Url.EncodeToString(raw.RawId);
        if (!string.Equals(raw.Id, credentialId, StringComparison.Ordinal))
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.Malformed, Detail: "id and rawId differ"));
        }

        var credential = await db.WebAuthnCredentials.FirstOrDefaultAsync(c => c.UserId == user.Id && c.CredentialId == credentialId, ct).ConfigureAwait(false);
        if (credential is null)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.UnknownCredential));
        }

        VerifyAssertionResult verified;
        AuthenticatorData authenticatorData;
        try
        {
            authenticatorData = AuthenticatorData.Parse(raw.Response.AuthenticatorData);
            verified = await fido.MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = raw,
                OriginalOptions = AssertionOptions.FromJson(optionsJson),
                StoredPublicKey = Base64Url.DecodeFromChars(credential.PublicKey),
                StoredSignatureCounter = (uint)Math.Clamp(credential.SignCount, 0, uint.MaxValue),
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(
                    string.Equals(Base64Url.EncodeToString(args.UserHandle), credential.UserHandle, StringComparison.Ordinal) &&
                    string.Equals(Base64Url.EncodeToString(args.CredentialId), credential.CredentialId, StringComparison.Ordinal)),
            }, ct).ConfigureAwait(false);
        }
        catch (Fido2VerificationException ex) when (ex.Code == Fido2ErrorCode.InvalidSignCount)
        {
            // The library refuses a non-zero counter that did not increase; the signature itself was valid.
            return Cloned(user, credential, SignCountOf(raw));
        }
        catch (Fido2VerificationException ex)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.Rejected, Detail: ex.Code.ToString()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Refused(WebAuthnCeremony.Assertion, user, new WebAuthnResult(WebAuthnOutcome.Malformed, Detail: ex.GetType().Name));
        }

        // The library lets a counter fall back to 0 after a non-zero one; WebAuthn §7.2 step 21 treats that as a clone signal too.
        if (SignCounter.Evaluate(credential.SignCount, verified.SignCount) == SignCountCheck.Regressed)
        {
            return Cloned(user, credential, verified.SignCount);
        }

        credential.SignCount = verified.SignCount;
        credential.LastUsedAtUnix = time.GetUtcNow().ToUnixTimeSeconds();
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return new WebAuthnResult(WebAuthnOutcome.Succeeded, credential, authenticatorData.UserVerified);
    }

    /// <summary>Stores the challenge; null (no options for the browser) when the table is full or the store cannot be used.</summary>
    private async Task<string?> PutChallengeAsync(string binding, WebAuthnCeremony ceremony, UserEntity user, string json, CancellationToken ct)
    {
        try
        {
            return await challenges.TryPutAsync(binding, ceremony, user.Id, json, ct).ConfigureAwait(false) ? json : null;
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            LogStoreUnavailable(logger, ex, ceremony, user.UserName);
            return null;
        }
    }

    /// <summary>Removes one of the user's credentials; null when there is no such credential.</summary>
    public async Task<WebAuthnCredentialEntity?> RemoveAsync(UserEntity user, string id, CancellationToken ct = default)
    {
        var credential = await db.WebAuthnCredentials.FirstOrDefaultAsync(c => c.UserId == user.Id && c.Id == id, ct).ConfigureAwait(false);
        if (credential is null)
        {
            return null;
        }

        db.WebAuthnCredentials.Remove(credential);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        LogRemoved(logger, credential.Name, user.UserName);
        return credential;
    }

    /// <summary>A display name: printable, at most <see cref="MaxNameLength"/> characters, "Security key" when empty.</summary>
    internal static string CleanName(string? name)
    {
        var text = new string((name ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (text.Length > MaxNameLength)
        {
            text = text[..MaxNameLength].TrimEnd();
        }

        return text.Length == 0 ? "Security key" : text;
    }

    private static T? Parse<T>(string? json)
        where T : class
    {
        if (string.IsNullOrEmpty(json) || json.Length > MaxResponseLength)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, ResponseJson);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static uint SignCountOf(AuthenticatorAssertionRawResponse raw)
    {
        try
        {
            return AuthenticatorData.Parse(raw.Response.AuthenticatorData).SignCount;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return 0;
        }
    }

    private WebAuthnResult Cloned(UserEntity user, WebAuthnCredentialEntity credential, uint received)
    {
        LogCloned(logger, credential.Name, credential.CredentialId, user.UserName, credential.SignCount, received);
        return new WebAuthnResult(WebAuthnOutcome.ClonedAuthenticator, credential, Detail: $"stored {credential.SignCount}, received {received}");
    }

    private WebAuthnResult Refused(WebAuthnCeremony ceremony, UserEntity user, WebAuthnResult result)
    {
        LogRefused(logger, ceremony, user.UserName, result.Outcome, result.Detail ?? "");
        return result;
    }

    private static string TransportName(AuthenticatorTransport transport) => transport switch
    {
        AuthenticatorTransport.Usb => "usb",
        AuthenticatorTransport.Nfc => "nfc",
        AuthenticatorTransport.Ble => "ble",
        AuthenticatorTransport.Internal => "internal",
        AuthenticatorTransport.Hybrid => "hybrid",
        AuthenticatorTransport.SmartCard => "smart-card",
        _ => "",
    };

    private static AuthenticatorTransport[]? ParseTransports(string text)
    {
        var list = new List<AuthenticatorTransport>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var transport in Enum.GetValues<AuthenticatorTransport>())
            {
                if (TransportName(transport) == name)
                {
                    list.Add(transport);
                }
            }
        }

        return list.Count == 0 ? null : [.. list];
    }
}
