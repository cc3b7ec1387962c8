namespace Vigil.Server.Configuration;

/// <summary>
/// The <c>storage</c> section. For PostgreSQL the connection string is resolved at load time from the YAML, an
/// environment variable or a file, and a password from <c>password_env</c>/<c>password_file</c> is merged in, so no
/// secret needs to be written in <c>vigil.yaml</c>.
/// </summary>
public sealed record StorageConfig
{
    /// <summary>Default: <see cref="StorageProvider.Sqlite"/>.</summary>
    public StorageProvider Provider { get; init; } = StorageProvider.Sqlite;

    /// <summary>The resolved PostgreSQL connection string (password included); null for SQLite.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Never prints the connection string (it may hold a password).</summary>
    public override string ToString() => $"StorageConfig {{ Provider = {Provider} }}";
}
