using System.Net;

namespace Vigil.Server.Configuration;

/// <summary>The <c>telemetry</c> section: what Vigil tells operators about itself.</summary>
public sealed record TelemetryConfig
{
    /// <summary>Prometheus metrics at <c>/.vigil/metrics</c>.</summary>
    public MetricsConfig Metrics { get; init; } = new();
}

/// <summary>The metrics endpoint (<c>telemetry.metrics</c>).</summary>
public sealed record MetricsConfig
{
    /// <summary>Whether <c>/.vigil/metrics</c> is served (default true). Off, the path answers 404 like any unknown one.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Addresses allowed to scrape, matched against the connection's remote address (never X-Forwarded-For); others get
    /// 404. Default: loopback only (<c>127.0.0.1/32</c>, <c>::1/128</c>). A range covering every address is refused.
    /// </summary>
    public IReadOnlyList<IPNetwork> Allow { get; init; } = DefaultAllow;

    /// <summary>Loopback only.</summary>
    public static IReadOnlyList<IPNetwork> DefaultAllow { get; } = [new IPNetwork(IPAddress.Loopback, 32), new IPNetwork(IPAddress.IPv6Loopback, 128)];
}
