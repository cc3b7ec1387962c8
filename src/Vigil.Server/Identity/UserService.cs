using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OtpNet;
using Vigil.Server.Storage;

namespace Vigil.Server.Identity;

/// <summary>Result of a password check.</summary>
internal enum PasswordCheck
{
    Failed,
    Succeeded,
    Disabled,
}

/// <summary>
/// Users of the built-in provider: creation, password verification (PBKDF2-HMAC-SHA512 via ASP.NET Core Identity's
/// hasher), TOTP enrolment and verification (no code accepted twice), recovery codes. WebAuthn credentials are
/// handled by <see cref="WebAuthn.WebAuthnService"/>; <see cref="ResetMfaAsync"/> removes them too.
/// </summary>
public sealed class UserService(VigilDbContext db, TimeProvider time)
{
    private static readonly PasswordHasher<UserEntity> Hasher = new();
    private static readonly string DummyHash = Hasher.HashPassword(new UserEntity(), "vigil-dummy-password-for-timing");

    /// <summary>Where revocations this service makes are announced (the CLI and the server set it when Redis is configured).</summary>
    internal Sessions.RevocationBus? Bus { get; init; }

    public static string NormalizeName(string userName) => userName.Trim().ToLowerInvariant();

    public Task<UserEntity?> FindAsync(string userName, CancellationToken ct = default)
    {
        var name = NormalizeName(userName);
        return db.Users.Include(u => u.Roles).Include(u => u.Groups).FirstOrDefaultAsync(u => u.UserName == name, ct);
    }

    public Task<UserEntity?> FindByIdAsync(string id, CancellationToken ct = default) =>
        db.Users.Include(u => u.Roles).Include(u => u.Groups).FirstOrDefaultAsync(u => u.Id == id, ct);

    public Task<List<UserEntity>> ListAsync(CancellationToken ct = default) =>
        db.Users.Include(u => u.Roles).Include(u => u.Groups).OrderBy(u => u.UserName).ToListAsync(ct);

    /// <summary>Creates a user. Throws <see cref="InvalidOperationException"/> when the name is taken or the password is too short.</summary>
    public async Task<UserEntity> AddAsync(string userName, string password, string? email, string? displayName, IEnumerable<string> roles, IEnumerable<string> groups, bool mfaRequired, CancellationToken ct = default)
    {
        var name = NormalizeName(userName);
        if (name.Length == 0 || name.Length > 256 || name.Any(char.IsControl))
        {
            throw new InvalidOperationException("user names must be 1-256 printable characters");
        }

        if (password.Length < 8)
        {
            throw new InvalidOperationException("passwords must be at least 8 characters");
        }

        if (await db.Users.AnyAsync(u => u.UserName == name, ct).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"user '{name}' already exists");
        }

        var user = new UserEntity
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            UserName = name,
            Email = email,
            DisplayName = displayName,
            MfaRequired = mfaRequired,
            CreatedAtUnix = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.Roles = roles.Distinct(StringComparer.Ordinal).Select(r => new UserRoleEntity { UserId = user.Id, Role = r }).ToList();
        user.Groups = groups.Distinct(StringComparer.Ordinal).Select(g => new UserGroupEntity { UserId = user.Id, Group = g }).ToList();
        db.Users.Add(user);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return user;
    }

    /// <summary>Checks a password in constant work whether or not the user exists.</summary>
    internal static PasswordCheck CheckPassword(UserEntity? user, string password)
    {
        if (user is null)
        {
            Hasher.VerifyHashedPassword(new UserEntity(), DummyHash, password);
            return PasswordCheck.Failed;
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return PasswordCheck.Failed;
        }

        return user.Disabled ? PasswordCheck.Disabled : PasswordCheck.Succeeded;
    }

    public static string NewTotpSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    public static string OtpAuthUri(string secret, string userName, string issuer) =>
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(userName)}?secret={secret}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30";

    /// <summary>Verifies a TOTP code against a secret; returns the matched time step or null.</summary>
    public long? VerifyTotp(string secret, string code, long lastStep)
    {
        code = code.Trim().Replace(" ", "", StringComparison.Ordinal);
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new Totp(Base32Encoding.ToBytes(secret));
        if (totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1)) && step > lastStep)
        {
            return step;
        }

        return null;
    }

    /// <summary>
    /// Accepts a TOTP code (or an unused recovery code) for the user and records its use. Both are single-use across
    /// every node sharing the store: the use is recorded by a conditional update (the TOTP step only when it is higher
    /// than the stored one; the recovery codes only when they are still what was read), so of two nodes accepting the
    /// same code at the same moment one loses, and a lost race is refused exactly like a reused code. False (refused)
    /// also when the store cannot be used.
    /// </summary>
    public async Task<bool> VerifySecondFactorAsync(UserEntity user, string code, CancellationToken ct = default)
    {
        try
        {
            return await VerifySecondFactorCoreAsync(user, code, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (VigilDbContext.IsStoreFailure(ex))
        {
            return false;
        }
    }

    private async Task<bool> VerifySecondFactorCoreAsync(UserEntity user, string code, CancellationToken ct)
    {
        if (user.TotpSecret is not null && VerifyTotp(user.TotpSecret, code, user.TotpLastStep) is { } step)
        {
            var updated = await db.Users.Where(u => u.Id == user.Id && u.TotpLastStep < step)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), ct).ConfigureAwait(false);
            if (updated == 1)
            {
                user.TotpLastStep = step;
                MarkStored(user, nameof(UserEntity.TotpLastStep));
                return true;
            }

            // Another node (or request) used this step or a later one first: a replay. A recovery code cannot be
            // six digits, so there is nothing else to try.
            return false;
        }

        var normalized = code.Trim().Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        if (normalized.Length != 10 || user.RecoveryCodes is null)
        {
            return false;
        }

        var hash = HashRecoveryCode(normalized);
        var stored = user.RecoveryCodes;

        // Compare-and-swap on the whole list; when another code was used meanwhile, read the list again and retry.
        for (var attempt = 0; attempt < 5 && stored is not null; attempt++)
        {
            var codes = stored.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (!codes.Remove(hash))
            {
                return false;
            }

            var remaining = string.Join(' ', codes);
            var expected = stored;
            var updated = await db.Users.Where(u => u.Id == user.Id && u.RecoveryCodes == expected)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.RecoveryCodes, remaining), ct).ConfigureAwait(false);
            if (updated == 1)
            {
                user.RecoveryCodes = remaining;
                MarkStored(user, nameof(UserEntity.RecoveryCodes));
                return true;
            }

            stored = await db.Users.AsNoTracking().Where(u => u.Id == user.Id).Select(u => u.RecoveryCodes).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>The loaded entity shows what a bulk update wrote, without being marked changed.</summary>
    private void MarkStored(UserEntity user, string property)
    {
        var entry = db.Entry(user);
        if (entry.State != EntityState.Detached)
        {
            var value = entry.Property(property);
            value.OriginalValue = value.CurrentValue;
            value.IsModified = false;
        }
    }

    /// <summary>Stores a confirmed TOTP secret and returns fresh recovery codes (shown once).</summary>
    public async Task<IReadOnlyList<string>> EnrollTotpAsync(UserEntity user, string secret, long step, CancellationToken ct = default)
    {
        user.TotpSecret = secret;
        user.TotpLastStep = step;
        return await IssueRecoveryCodesAsync(user, ct).ConfigureAwait(false);
    }

    /// <summary>Replaces the user's recovery codes with fresh ones and returns them (shown once; only hashes are kept).</summary>
    public async Task<IReadOnlyList<string>> IssueRecoveryCodesAsync(UserEntity user, CancellationToken ct = default)
    {
        var codes = NewRecoveryCodes();
        user.RecoveryCodes = string.Join(' ', codes.Select(c => HashRecoveryCode(c.Replace("-", "", StringComparison.Ordinal))));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return codes;
    }

    /// <summary>The kinds of second factor each user has: <c>totp</c>, <c>webauthn</c> (with the number of credentials), <c>recovery</c>.</summary>
    public async Task<Dictionary<string, IReadOnlyList<string>>> MfaKindsAsync(CancellationToken ct = default)
    {
        var keys = await db.WebAuthnCredentials.GroupBy(c => c.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, StringComparer.Ordinal, ct).ConfigureAwait(false);
        var users = await db.Users.Select(u => new { u.Id, HasTotp = u.TotpSecret != null, HasRecovery = u.RecoveryCodes != null && u.RecoveryCodes != "" }).ToListAsync(ct).ConfigureAwait(false);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            var kinds = new List<string>();
            if (u.HasTotp)
            {
                kinds.Add("totp");
            }

            if (keys.TryGetValue(u.Id, out var count))
            {
                kinds.Add(count == 1 ? "webauthn" : $"webauthn({count})");
            }

            if (u.HasRecovery)
            {
                kinds.Add("recovery");
            }

            result[u.Id] = kinds;
        }

        return result;
    }

    public async Task<bool> SetDisabledAsync(string userName, bool disabled, CancellationToken ct = default)
    {
        var user = await FindAsync(userName, ct).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        user.Disabled = disabled;
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (disabled)
        {
            // Every session authenticated so far is revoked server-side (kept after re-enabling: old cookies stay dead).
            await new Sessions.RevocationStore(db, time, Bus).RevokeUserAsync(user.Id, "user_disabled", ct).ConfigureAwait(false);
        }

        return true;
    }

    public async Task<bool> ResetMfaAsync(string userName, CancellationToken ct = default)
    {
        var user = await FindAsync(userName, ct).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        user.TotpSecret = null;
        user.TotpLastStep = 0;
        user.RecoveryCodes = null;
        db.WebAuthnCredentials.RemoveRange(await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).ToListAsync(ct).ConfigureAwait(false));
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Changes a user's roles and/or groups (replaced when given) and e-mail/display name. When roles or groups change,
    /// every session of the user is revoked, so a removed role does not live on in a session cookie until it expires.
    /// Returns null when there is no such user.
    /// </summary>
    public async Task<UserEntity?> UpdateAsync(string userName, IReadOnlyCollection<string>? roles, IReadOnlyCollection<string>? groups, string? email, string? displayName, CancellationToken ct = default)
    {
        var user = await FindAsync(userName, ct).ConfigureAwait(false);
        if (user is null)
        {
            return null;
        }

        var changed = false;
        if (roles is not null)
        {
            var wanted = roles.ToHashSet(StringComparer.Ordinal);
            changed |= user.Roles.RemoveAll(r => !wanted.Contains(r.Role)) > 0;
            foreach (var role in wanted.Where(r => user.Roles.All(x => x.Role != r)))
            {
                user.Roles.Add(new UserRoleEntity { UserId = user.Id, Role = role });
                changed = true;
            }
        }

        if (groups is not null)
        {
            var wanted = groups.ToHashSet(StringComparer.Ordinal);
            changed |= user.Groups.RemoveAll(g => !wanted.Contains(g.Group)) > 0;
            foreach (var group in wanted.Where(g => user.Groups.All(x => x.Group != g)))
            {
                user.Groups.Add(new UserGroupEntity { UserId = user.Id, Group = group });
                changed = true;
            }
        }

        if (email is not null)
        {
            user.Email = email.Length == 0 ? null : email;
        }

        if (displayName is not null)
        {
            user.DisplayName = displayName.Length == 0 ? null : displayName;
        }

        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        if (changed)
        {
            await new Sessions.RevocationStore(db, time, Bus).RevokeUserAsync(user.Id, "roles_changed", ct).ConfigureAwait(false);
        }

        return user;
    }

    /// <summary>Deletes a user (roles, groups and security keys with it) after revoking every session of theirs.</summary>
    public async Task<bool> RemoveAsync(string userName, CancellationToken ct = default)
    {
        var user = await FindAsync(userName, ct).ConfigureAwait(false);
        if (user is null)
        {
            return false;
        }

        await new Sessions.RevocationStore(db, time, Bus).RevokeUserAsync(user.Id, "user_removed", ct).ConfigureAwait(false);
        db.WebAuthnCredentials.RemoveRange(await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).ToListAsync(ct).ConfigureAwait(false));
        db.Users.Remove(user);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return true;
    }

    private static List<string> NewRecoveryCodes()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var codes = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var chars = RandomNumberGenerator.GetItems<char>(alphabet, 10);
            codes.Add(new string(chars, 0, 5) + "-" + new string(chars, 5, 5));
        }

        return codes;
    }

    private static string HashRecoveryCode(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
