namespace Vigil.Server.Configuration;

/// <summary>The whole <c>vigil.yaml</c>, validated. Paths are absolute (resolved against the file's folder).</summary>
public sealed record VigilConfig
{
    public required ServerConfig Server { get; init; }
    public required IdentityConfig Identity { get; init; }
    public required SessionConfig Session { get; init; }
    public required PolicyConfig Policies { get; init; }
    public required AuditConfig Audit { get; init; }

    /// <summary>The store (default: SQLite in the data folder).</summary>
    public StorageConfig Storage { get; init; } = new();

    /// <summary>The revocation bus shared by the nodes; null when the file has no <c>redis</c> section (polling only).</summary>
    public RedisConfig? Redis { get; init; }

    /// <summary>Metrics (default: served to loopback only).</summary>
    public TelemetryConfig Telemetry { get; init; } = new();

    /// <summary>Device trust (default: off).</summary>
    public DevicesConfig Devices { get; init; } = DevicesConfig.Disabled;
    public required IReadOnlyList<RouteConfig> Routes { get; init; }

    /// <summary>The file this configuration was read from, if any.</summary>
    public string? SourcePath { get; init; }
}
