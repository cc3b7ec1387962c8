using Microsoft.EntityFrameworkCore;

namespace Vigil.Server.Storage;

/// <summary>
/// Vigil's store: users, their roles, groups and WebAuthn credentials, and OpenIddict's applications/authorizations/scopes/tokens.
/// Only portable column types are used so the same model runs on SQLite (default) and PostgreSQL.
/// </summary>
public sealed class VigilDbContext(DbContextOptions<VigilDbContext> options) : DbContext(options)
{
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<UserRoleEntity> UserRoles => Set<UserRoleEntity>();
    public DbSet<UserGroupEntity> UserGroups => Set<UserGroupEntity>();
    public DbSet<RevocationEntity> Revocations => Set<RevocationEntity>();
    public DbSet<WebAuthnCredentialEntity> WebAuthnCredentials => Set<WebAuthnCredentialEntity>();

    /// <summary>
    /// Creates the store, and adds tables introduced after a store was first created (there are no migrations yet,
    /// and <c>EnsureCreated</c> does nothing on an existing database). The DDL is plain SQL valid on SQLite and PostgreSQL.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        await Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await Database.ExecuteSqlRawAsync(
            "CREATE TABLE IF NOT EXISTS vigil_revocations (kind VARCHAR(16) NOT NULL, subject_key VARCHAR(128) NOT NULL, revoked_at_unix BIGINT NOT NULL, " +
            "expires_at_unix BIGINT NOT NULL, reason VARCHAR(64) NOT NULL, PRIMARY KEY (kind, subject_key))", cancellationToken).ConfigureAwait(false);
        await Database.ExecuteSqlRawAsync(
            "CREATE TABLE IF NOT EXISTS vigil_webauthn_credentials (id VARCHAR(64) NOT NULL PRIMARY KEY, " +
            "user_id VARCHAR(64) NOT NULL REFERENCES vigil_users (\"Id\") ON DELETE CASCADE, credential_id VARCHAR(1400) NOT NULL, " +
            "public_key VARCHAR(2048) NOT NULL, sign_count BIGINT NOT NULL, aaguid VARCHAR(36) NOT NULL, user_handle VARCHAR(128) NOT NULL, " +
            "transports VARCHAR(128) NOT NULL, name VARCHAR(64) NOT NULL, created_at_unix BIGINT NOT NULL, last_used_at_unix BIGINT NULL)", cancellationToken).ConfigureAwait(false);
        await Database.ExecuteSqlRawAsync(
            "CREATE UNIQUE INDEX IF NOT EXISTS ix_vigil_webauthn_credentials_credential_id ON vigil_webauthn_credentials (credential_id)", cancellationToken).ConfigureAwait(false);
        await Database.ExecuteSqlRawAsync(
            "CREATE INDEX IF NOT EXISTS ix_vigil_webauthn_credentials_user_id ON vigil_webauthn_credentials (user_id)", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Options for the SQLite file in <paramref name="dataDir"/>.</summary>
    public static DbContextOptions<VigilDbContext> SqliteOptions(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        return new DbContextOptionsBuilder<VigilDbContext>()
            .UseSqlite($"Data Source={Path.Combine(dataDir, "vigil.db")}", s => s.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery))
            .UseOpenIddict()
            .Options;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<UserEntity>(user =>
        {
            user.ToTable("vigil_users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasMaxLength(64);
            user.Property(u => u.UserName).HasMaxLength(256).IsRequired();
            user.HasIndex(u => u.UserName).IsUnique();
            user.Property(u => u.Email).HasMaxLength(256);
            user.Property(u => u.DisplayName).HasMaxLength(256);
            user.Property(u => u.PasswordHash).HasMaxLength(512).IsRequired();
            user.Property(u => u.TotpSecret).HasMaxLength(128);
            user.Property(u => u.RecoveryCodes).HasMaxLength(4096);
            user.HasMany(u => u.Roles).WithOne().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
            user.HasMany(u => u.Groups).WithOne().HasForeignKey(g => g.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<UserRoleEntity>(role =>
        {
            role.ToTable("vigil_user_roles");
            role.HasKey(r => new { r.UserId, r.Role });
            role.Property(r => r.Role).HasMaxLength(128);
        });
        modelBuilder.Entity<UserGroupEntity>(group =>
        {
            group.ToTable("vigil_user_groups");
            group.HasKey(g => new { g.UserId, g.Group });
            group.Property(g => g.Group).HasMaxLength(128);
        });
        modelBuilder.Entity<RevocationEntity>(revocation =>
        {
            // Column names are given explicitly so the hand-written upgrade DDL above matches the model exactly.
            revocation.ToTable("vigil_revocations");
            revocation.HasKey(r => new { r.Kind, r.Key });
            revocation.Property(r => r.Kind).HasColumnName("kind").HasMaxLength(16);
            revocation.Property(r => r.Key).HasColumnName("subject_key").HasMaxLength(128);
            revocation.Property(r => r.RevokedAtUnix).HasColumnName("revoked_at_unix");
            revocation.Property(r => r.ExpiresAtUnix).HasColumnName("expires_at_unix");
            revocation.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(64).IsRequired();
        });
        modelBuilder.Entity<WebAuthnCredentialEntity>(credential =>
        {
            // Explicit column names, like the revocations above: the upgrade DDL in EnsureSchemaAsync matches them.
            credential.ToTable("vigil_webauthn_credentials");
            credential.HasKey(c => c.Id);
            credential.Property(c => c.Id).HasColumnName("id").HasMaxLength(64);
            credential.Property(c => c.UserId).HasColumnName("user_id").HasMaxLength(64).IsRequired();
            credential.Property(c => c.CredentialId).HasColumnName("credential_id").HasMaxLength(1400).IsRequired();
            credential.Property(c => c.PublicKey).HasColumnName("public_key").HasMaxLength(2048).IsRequired();
            credential.Property(c => c.SignCount).HasColumnName("sign_count");
            credential.Property(c => c.AaGuid).HasColumnName("aaguid").HasMaxLength(36).IsRequired();
            credential.Property(c => c.UserHandle).HasColumnName("user_handle").HasMaxLength(128).IsRequired();
            credential.Property(c => c.Transports).HasColumnName("transports").HasMaxLength(128).IsRequired();
            credential.Property(c => c.Name).HasColumnName("name").HasMaxLength(64).IsRequired();
            credential.Property(c => c.CreatedAtUnix).HasColumnName("created_at_unix");
            credential.Property(c => c.LastUsedAtUnix).HasColumnName("last_used_at_unix");
            credential.HasIndex(c => c.CredentialId).IsUnique().HasDatabaseName("ix_vigil_webauthn_credentials_credential_id");
            credential.HasIndex(c => c.UserId).HasDatabaseName("ix_vigil_webauthn_credentials_user_id");
            credential.HasOne<UserEntity>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
