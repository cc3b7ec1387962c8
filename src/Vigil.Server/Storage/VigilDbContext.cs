using Microsoft.EntityFrameworkCore;

namespace Vigil.Server.Storage;

/// <summary>
/// Vigil's store: users, their roles and groups, and OpenIddict's applications/authorizations/scopes/tokens.
/// Only portable column types are used so the same model runs on SQLite (default) and PostgreSQL.
/// </summary>
public sealed class VigilDbContext(DbContextOptions<VigilDbContext> options) : DbContext(options)
{
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<UserRoleEntity> UserRoles => Set<UserRoleEntity>();
    public DbSet<UserGroupEntity> UserGroups => Set<UserGroupEntity>();

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
    }
}
