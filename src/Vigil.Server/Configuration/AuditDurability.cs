namespace Vigil.Server.Configuration;

/// <summary>When a proxied request's decision record must be in the log before the request is forwarded (<c>audit.durability</c>).</summary>
public enum AuditDurability
{
    /// <summary>
    /// Default. The record is written to the file (handed to the operating system) before the request is forwarded;
    /// one write serves every request that arrived meanwhile. Survives a crash of the process, not of the machine.
    /// </summary>
    Written,

    /// <summary>As <see cref="Written"/>, and the batch is also flushed to the disk (fsync) first: survives power loss.</summary>
    Synced,

    /// <summary>The request is forwarded at once and the record written shortly after: a crash can lose the last records.</summary>
    Async,
}
