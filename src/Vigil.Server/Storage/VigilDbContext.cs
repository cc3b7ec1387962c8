using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Vigil.Server.Configuration;

namespace Vigil.Server.Storage;

/// <summary>
/// Vigil's store: users, their roles and groups, OpenIddict's applications/authorizations/scopes/tokens, session
/// revocations, recorded sessions, WebAuthn credentials, and the login state every node must share (outstanding WebAuthn
/// challenges, failed logins and bans). Only portable column types are used so the same model runs on SQLite (default)
/// and PostgreSQL; the schema is versioned by <see cref="StoreSchema"/> (a new entity needs a step there).
/// </summary>
public sealed class VigilDbContext(DbContextOptions<VigilDbContext> options) : DbContext(options)
{
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<UserRoleEntity> UserRoles => Set<UserRoleEntity>();
    public DbSet<UserGroupEntity> UserGroups => Set<UserGroupEntity>();
    public DbSet<RevocationEntity> Revocations => Set<RevocationEntity>();
    public DbSet<WebAuthnCredentialEntity> WebAuthnCredentials => Set<WebAuthnCredentialEntity>();

    public DbSet<SessionEntity> Sessions => Set<SessionEntity>();

    public DbSet<WebAuthnChallengeEntity> WebAuthnChallenges => Set<WebAuthnChallengeEntity>();
    public DbSet<LoginFailureEntity> LoginFailures => Set<LoginFailureEntity>();
    public DbSet<LoginBanEntity> LoginBans => Set<LoginBanEntity>();

    /// <summary>
    /// Creates the store or upgrades it to this build's schema version (see <see cref="StoreSchema"/>), and refuses a
    /// store written by a newer Vigil. Any failure to reach the database becomes one <see cref="StoreException"/> whose
    /// message says what to check (no stack trace for the operator).
    /// </summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default) => EnsureSchemaAsync(TimeProvider.System, cancellationToken);

    /// <inheritdoc cref="EnsureSchemaAsync(CancellationToken)"/>
    public async Task EnsureSchemaAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        try
        {
            if (Database.IsSqlite())
            {
                PrivateFiles.Prepare(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Database.GetConnectionString()).DataSource);
            }

            await StoreSchema.EnsureAsync(this, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            // Npgsql's execution strategy wraps transient failures (connection refused) in an InvalidOperationException.
            var cause = ex is InvalidOperationException && ex.InnerException is { } inner ? inner : ex;
            throw new StoreException(StoreErrorCodes.Unavailable, $"cannot use the store ({Describe()}): {Explain(cause)}", ex);
        }
    }

    /// <summary>Where the store is, for messages: the SQLite file, or PostgreSQL host:port/database and user (never the password).</summary>
    public string Describe()
    {
        var connectionString = Database.GetConnectionString() ?? "";
        if (Database.IsNpgsql())
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        }

        return "SQLite " + new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
    }

    /// <summary>Options for the SQLite file in <paramref name="dataDir"/>.</summary>
    public static DbContextOptions<VigilDbContext> SqliteOptions(string dataDir) =>
        CreateOptions(new StorageConfig(), dataDir);

    /// <summary>Options for the configured store.</summary>
    public static DbContextOptions<VigilDbContext> CreateOptions(StorageConfig storage, string dataDir)
    {
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        Configure(builder, storage, dataDir);
        return builder.Options;
    }

    /// <summary>Configures a context for the store: the SQLite file <c>vigil.db</c> in <paramref name="dataDir"/>, or PostgreSQL.</summary>
    public static void Configure(DbContextOptionsBuilder builder, StorageConfig storage, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.Provider == StorageProvider.Postgres)
        {
            builder.UseNpgsql(storage.ConnectionString, o => o.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery));
        }
        else
        {
            PrivateFiles.CreateFolder(dataDir);
            builder.UseSqlite($"Data Source={Path.Combine(dataDir, "vigil.db")}", s => s.UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery));
        }

        builder.UseOpenIddict();
    }

    /// <summary>
    /// True for the ways a store operation fails when the database is unreachable, refuses, times out or rejects the
    /// statement: callers on the login path turn these into a refusal (fail closed) instead of an error page.
    /// </summary>
    internal static bool IsStoreFailure(Exception ex) =>
        IsConnectionFailure(ex) || ex is DbUpdateException || (ex is InvalidOperationException && ex.InnerException is DbUpdateException);

    private static bool IsConnectionFailure(Exception ex) =>
        ex is DbException or TimeoutException or System.Net.Sockets.SocketException ||
        (ex is InvalidOperationException && ex.InnerException is DbException or TimeoutException or System.Net.Sockets.SocketException);

    private static string Explain(Exception ex)
    {
        var hint = ex switch
        {
            PostgresException { SqlState: "3D000" } => " (create it first, e.g. CREATE DATABASE vigil OWNER vigil)",
            PostgresException { SqlState: "28P01" or "28000" } => " (check the user and password in storage)",
            PostgresException { SqlState: "42501" } => " (the user needs to own the database or have CREATE on its schema)",
            NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException } or TimeoutException => " (is PostgreSQL running and reachable at that host and port?)",
            _ => "",
        };
        var message = ex.InnerException is { } inner && ex is NpgsqlException and not PostgresException ? $"{ex.Message}: {inner.Message}" : ex.Message;
        return message + hint;
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
            // Explicit column names: the table predates versioning and was created by hand-written DDL with these names.
            revocation.ToTable("vigil_revocations");
            revocation.HasKey(r => new { r.Kind, r.Key });
            revocation.Property(r => r.Kind).HasColumnName("kind").HasMaxLength(16);
            revocation.Property(r => r.Key).HasColumnName("subject_key").HasMaxLength(128);
            revocation.Property(r => r.RevokedAtUnix).HasColumnName("revoked_at_unix");
            revocation.Property(r => r.ExpiresAtUnix).HasColumnName("expires_at_unix");
            revocation.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(64).IsRequired();
        });
        modelBuilder.Entity<SessionEntity>(session =>
        {
            session.ToTable("vigil_sessions");
            session.HasKey(s => s.Id);
            session.Property(s => s.Id).HasColumnName("session_id").HasMaxLength(128);
            session.Property(s => s.Subject).HasColumnName("subject").HasMaxLength(256).IsRequired();
            session.Property(s => s.UserName).HasColumnName("user_name").HasMaxLength(256);
            session.Property(s => s.CreatedAtUnix).HasColumnName("created_at_unix");
            session.Property(s => s.ExpiresAtUnix).HasColumnName("expires_at_unix");
            session.Property(s => s.LastSeenAtUnix).HasColumnName("last_seen_at_unix");
            session.Property(s => s.ClientIp).HasColumnName("client_ip").HasMaxLength(64);
            session.Property(s => s.UserAgent).HasColumnName("user_agent").HasMaxLength(512);
            session.Property(s => s.Amr).HasColumnName("amr").HasMaxLength(128);
            session.Property(s => s.RevokedAtUnix).HasColumnName("revoked_at_unix");
            session.Property(s => s.RevokedReason).HasColumnName("revoked_reason").HasMaxLength(64);
            session.HasIndex(s => s.Subject).HasDatabaseName("ix_vigil_sessions_subject");
            session.HasIndex(s => s.ExpiresAtUnix).HasDatabaseName("ix_vigil_sessions_expires");
        });
        modelBuilder.Entity<WebAuthnCredentialEntity>(credential =>
        {
            // Explicit snake_case column and index names, like the other Vigil tables (schema step 3 creates it from this).
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
        modelBuilder.Entity<WebAuthnChallengeEntity>(challenge =>
        {
            // Schema step 4. The options JSON lists up to 20 credential ids, so it has no length limit (TEXT on both providers).
            challenge.ToTable("vigil_webauthn_challenges");
            challenge.HasKey(c => c.Binding);
            challenge.Property(c => c.Binding).HasColumnName("binding").HasMaxLength(200);
            challenge.Property(c => c.Ceremony).HasColumnName("ceremony");
            challenge.Property(c => c.UserId).HasColumnName("user_id").HasMaxLength(64).IsRequired();
            challenge.Property(c => c.OptionsJson).HasColumnName("options_json").IsRequired();
            challenge.Property(c => c.ExpiresAtMs).HasColumnName("expires_at_ms");
            challenge.HasIndex(c => c.ExpiresAtMs).HasDatabaseName("ix_vigil_webauthn_challenges_expires");
        });
        modelBuilder.Entity<LoginFailureEntity>(failure =>
        {
            failure.ToTable("vigil_login_failures");
            failure.HasKey(f => f.Id);
            failure.Property(f => f.Id).HasColumnName("id").ValueGeneratedOnAdd();
            failure.Property(f => f.Key).HasColumnName("throttle_key").HasMaxLength(300).IsRequired();
            failure.Property(f => f.AtMs).HasColumnName("at_ms");
            failure.HasIndex(f => new { f.Key, f.AtMs }).HasDatabaseName("ix_vigil_login_failures_key_at");
            failure.HasIndex(f => f.AtMs).HasDatabaseName("ix_vigil_login_failures_at");
        });
        modelBuilder.Entity<LoginBanEntity>(ban =>
        {
            ban.ToTable("vigil_login_bans");
            ban.HasKey(b => b.Key);
            ban.Property(b => b.Key).HasColumnName("throttle_key").HasMaxLength(300);
            ban.Property(b => b.BannedUntilMs).HasColumnName("banned_until_ms");
            ban.Property(b => b.LastBanMs).HasColumnName("last_ban_ms");
            ban.Property(b => b.Bans).HasColumnName("bans");
            ban.Property(b => b.Version).HasColumnName("version");
            ban.HasIndex(b => b.LastBanMs).HasDatabaseName("ix_vigil_login_bans_last_ban");
        });
    }
}
