namespace Vigil.Server.Configuration;

/// <summary>The decision log.</summary>
public sealed record AuditConfig
{
    /// <summary>JSON-lines file, hash-chained.</summary>
    public required string Path { get; init; }
}
