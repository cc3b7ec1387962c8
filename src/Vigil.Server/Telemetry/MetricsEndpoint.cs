using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Vigil.Server.Configuration;
using Vigil.Server.Gateway;

namespace Vigil.Server.Telemetry;

/// <summary>
/// Prometheus text exposition of <see cref="VigilMetrics"/> at <c>/.vigil/metrics</c> through OpenTelemetry's ASP.NET Core
/// exporter. Only addresses in <c>telemetry.metrics.allow</c> (the connection's own remote address; X-Forwarded-For is
/// not asked, it is the client's to write) are answered; everyone else, and everyone when the endpoint is disabled,
/// gets the same 404 as any unknown path, so the endpoint's existence is not revealed.
/// </summary>
internal static class MetricsEndpoint
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/.vigil/metrics";

    /// <summary>Registers the metrics pipeline for this server's meter (nothing when disabled).</summary>
    public static void AddServices(IServiceCollection services, MetricsConfig config, VigilMetrics metrics)
    {
        if (!config.Enabled)
        {
            return;
        }

        var buckets = VigilMetrics.RequestDurationBuckets.ToArray();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("vigil", serviceVersion: metrics.Meter.Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(builder => builder
            .AddMeter(VigilMetrics.MeterName)

            // Subscription is by name, so another server in the same process (tests) would be picked up too: only this
            // server's meter is exported.
            .AddView(instrument => !ReferenceEquals(instrument.Meter, metrics.Meter) ? MetricStreamConfiguration.Drop
                : instrument.Name == VigilMetrics.RequestDurationName ? new ExplicitBucketHistogramConfiguration { Boundaries = buckets }
                : null)

            // A scrape shows the figures of that moment (the exporter would otherwise repeat one answer for 300 ms).
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    /// <summary>Adds the endpoint to the pipeline (after the gateway middleware, which passes <c>/.vigil/</c> paths on unrecorded).</summary>
    public static void Use(IApplicationBuilder app, MetricsConfig config)
    {
        if (!config.Enabled)
        {
            return;
        }

        var state = app.ApplicationServices.GetRequiredService<GatewayState>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: context => IsScrape(context, state), path: null,
            configureBranchedPipeline: null, optionsName: null);
    }

    private static bool IsScrape(HttpContext context, GatewayState state) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && string.Equals(context.Request.Path.Value, Path, StringComparison.Ordinal)
        && IsAllowed(context.Connection.RemoteIpAddress, state.Current.Config.Telemetry.Metrics.Allow);

    /// <summary>Whether <paramref name="remote"/> (an IPv4 address seen through a dual-stack socket counts as IPv4) is in <paramref name="allow"/>.</summary>
    internal static bool IsAllowed(IPAddress? remote, IReadOnlyList<IPNetwork> allow)
    {
        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        foreach (var network in allow)
        {
            if (network.Contains(remote))
            {
                return true;
            }
        }

        return false;
    }
}
