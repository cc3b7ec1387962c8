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

    /// <summary>What the gateway does while decisions cannot be recorded (the file cannot be written, or the backlog is full).</summary>
    public AuditFailureMode OnFailure { get; init; } = AuditFailureMode.Deny;

    /// <summary>
    /// Whether a forwarded request's decision record is written (default), written and synced to the disk, or written
    /// shortly after the request was forwarded (<c>async</c>) — see <see cref="AuditDurability"/>.
    /// </summary>
    public AuditDurability Durability { get; init; } = AuditDurability.Written;

    /// <summary>1 GiB.</summary>
    public const long DefaultMaxFileSize = 1L << 30;
}

/// <summary>The gateway's answer while the decision log is failing.</summary>
public enum AuditFailureMode
{
    /// <summary>Refuse proxied requests with 503 (<c>audit_unavailable</c>): no access that is not on record.</summary>
    Deny,

    /// <summary>Keep serving; decisions made meanwhile are lost (they show as removed records in <c>vigil audit verify</c>).</summary>
    Allow,
}
