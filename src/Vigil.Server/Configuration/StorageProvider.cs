namespace Vigil.Server.Configuration;

/// <summary>The database behind users, provider state, sessions and revocations.</summary>
public enum StorageProvider
{
    /// <summary>A SQLite file, <c>vigil.db</c> in the data folder (default; one node).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (several nodes may share it).</summary>
    Postgres,
}
