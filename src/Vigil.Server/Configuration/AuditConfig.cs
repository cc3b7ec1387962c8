namespace Vigil.Server.Configuration;

/// <summary>The decision log.</summary>
public sealed record AuditConfig
{
    /// <summary>JSON-lines file, hash-chained.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Size at which the log file is rotated (renamed to <c>&lt;path&gt;.&lt;last seq&gt;</c>; the chain continues in a new
    /// file). <see cref="long.MaxValue"/>: never.
    /// </summary>
    public long MaxFileSize { get; init; } = DefaultMaxFileSize;

    /// <summary>1 GiB.</summary>
    public const long DefaultMaxFileSize = 1L << 30;
}
