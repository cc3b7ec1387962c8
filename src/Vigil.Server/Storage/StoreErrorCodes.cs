namespace Vigil.Server.Storage;

/// <summary>Stable error codes of <see cref="StoreException"/>.</summary>
public static class StoreErrorCodes
{
    /// <summary>The database could not be reached or refused the connection (host, port, credentials, database name).</summary>
    public const string Unavailable = "store_unavailable";

    /// <summary>The store was written by a newer Vigil (its schema version is higher than this build knows).</summary>
    public const string SchemaTooNew = "store_schema_newer";

    /// <summary>The store has a schema table without a version, or Vigil's tables are in an unexpected state.</summary>
    public const string SchemaUnknown = "store_schema_unknown";
}
