namespace Vigil.Server.Storage;

/// <summary>A user of the built-in provider.</summary>
public sealed class UserEntity
{
    public string Id { get; set; } = "";

    /// <summary>Lower-case login name.</summary>
    public string UserName { get; set; } = "";
    public string? Email { get; set; }
    public string? DisplayName { get; set; }
    public string PasswordHash { get; set; } = "";
    public bool Disabled { get; set; }

    /// <summary>The user must complete MFA at every login (and enrol if not yet enrolled).</summary>
    public bool MfaRequired { get; set; }

    /// <summary>Base32 TOTP secret; null when not enrolled.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>Last accepted TOTP time step (a code is never accepted twice).</summary>
    public long TotpLastStep { get; set; }

    /// <summary>SHA-256 hashes of unused recovery codes, space separated.</summary>
    public string? RecoveryCodes { get; set; }

    public long CreatedAtUnix { get; set; }
    public List<UserRoleEntity> Roles { get; set; } = [];
    public List<UserGroupEntity> Groups { get; set; } = [];
}
