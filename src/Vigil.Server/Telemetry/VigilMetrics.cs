using System.Diagnostics;
using System.Diagnostics.Metrics;
using Vigil.Server.Audit;
using Vigil.Server.Gateway.Forwarding;

namespace Vigil.Server.Telemetry;

/// <summary>
/// Vigil's instruments, on one <see cref="Meter"/> named <c>Vigil</c> per server (exported as Prometheus text at
/// <c>/.vigil/metrics</c>, see docs/operations.md). Every tag value comes from a fixed set or from the configuration
/// (route names), never from a request or a user, so the number of series stays bounded. Recording costs no
/// allocation and takes no lock of ours: tags travel in a <see cref="TagList"/> on the stack, values are literals.
/// Without a listener (metrics disabled) each call is a field check.
/// </summary>
internal sealed class VigilMetrics : IDisposable
{
    /// <summary>The meter's name: what a metrics pipeline subscribes to.</summary>
    public const string MeterName = "Vigil";

    /// <summary>Name of the request-duration histogram (its buckets are set where the exporter is configured).</summary>
    public const string RequestDurationName = "vigil.gateway.request.duration";

    /// <summary>Bucket bounds in seconds for <see cref="RequestDurationName"/>: Vigil's own decision path is usually well under a millisecond.</summary>
    public static IReadOnlyList<double> RequestDurationBuckets { get; } = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _upstreamErrors;
    private readonly Counter<long> _clientErrors;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _bans;

    public VigilMetrics()
    {
        Meter = new Meter(MeterName, typeof(VigilMetrics).Assembly.GetName().Version?.ToString());
        _decisions = Meter.CreateCounter<long>("vigil.gateway.decisions", description: "Gateway decisions by route and outcome (reject: with a fixed reason code).");
        _duration = Meter.CreateHistogram<double>(RequestDurationName, "s", "Time Vigil's own decision path took (normalize, route, authenticate, decide), upstream excluded.");
        _upstreamErrors = Meter.CreateCounter<long>("vigil.gateway.upstream.errors", description: "Failed attempts to reach a route's upstream, by kind.");
        _clientErrors = Meter.CreateCounter<long>("vigil.gateway.client.errors", description: "Forwarded requests the client broke midway (malformed body framing, body over the route's limit), by kind.");
        _logins = Meter.CreateCounter<long>("vigil.identity.logins", description: "Sign-in attempts at the built-in provider, by result.");
        _bans = Meter.CreateCounter<long>("vigil.identity.bans", description: "Bans imposed by the login throttle (account or address).");
    }

    /// <summary>The meter (one per server, so servers sharing a process do not mix their figures).</summary>
    public Meter Meter { get; }

    /// <summary>Observes the decision log: records written and dropped, records pending, healthy (1) or not (0).</summary>
    public void Observe(DecisionLog log)
    {
        Meter.CreateObservableCounter("vigil.audit.records.written", () => log.Written, description: "Decision-log records written to the file.");
        Meter.CreateObservableCounter("vigil.audit.records.dropped", () => log.Dropped, description: "Decision-log records dropped because the backlog was full.");
        Meter.CreateObservableGauge("vigil.audit.records.pending", () => log.Pending, description: "Decision-log records accepted but not yet written.");
        Meter.CreateObservableGauge("vigil.audit.healthy", () => log.Healthy ? 1 : 0, description: "1 while the decision log is written and keeping up, else 0 (health answers 503).");
    }

    /// <summary>A gateway decision on a route: allow, deny, would_deny, challenge, step_up.</summary>
    public void Decision(string route, string decision, double elapsedMs)
    {
        var tags = new TagList { { "route", route }, { "decision", decision } };
        _decisions.Add(1, tags);
        _duration.Record(elapsedMs / 1000, tags);
    }

    /// <summary>A refusal before any policy decision; <paramref name="reason"/> is one of <see cref="RejectReasons"/>.</summary>
    public void Reject(string? route, string reason, double elapsedMs)
    {
        var tags = route is null
            ? new TagList { { "decision", "reject" }, { "reason", reason } }
            : new TagList { { "route", route }, { "decision", "reject" }, { "reason", reason } };
        _decisions.Add(1, tags);
        tags = route is null ? new TagList { { "decision", "reject" } } : new TagList { { "route", route }, { "decision", "reject" } };
        _duration.Record(elapsedMs / 1000, tags);
    }

    /// <summary>A failed attempt to reach an upstream (outcomes other than an error are ignored).</summary>
    public void UpstreamError(string route, ForwardResult result)
    {
        var kind = result switch
        {
            ForwardResult.ConnectFailed => "connect_failed",
            ForwardResult.Timeout => "timeout",
            ForwardResult.BadResponse => "bad_response",
            ForwardResult.RequestFailed => "request_failed",
            _ => null,
        };
        if (kind is not null)
        {
            _upstreamErrors.Add(1, new TagList { { "route", route }, { "kind", kind } });
        }
    }

    /// <summary>A forwarded request that failed through the client's fault (the upstream is not to blame).</summary>
    public void ClientError(string route, ForwardResult result)
    {
        var kind = result switch
        {
            ForwardResult.BadRequestBody => "bad_request_body",
            ForwardResult.RequestTooLarge => "request_too_large",
            _ => null,
        };
        if (kind is not null)
        {
            _clientErrors.Add(1, new TagList { { "route", route }, { "kind", kind } });
        }
    }

    /// <summary>A sign-in outcome; <paramref name="result"/> is one of <see cref="LoginResults"/>.</summary>
    public void Login(string result) => _logins.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>A ban imposed by the login throttle.</summary>
    public void Ban() => _bans.Add(1);

    public void Dispose() => Meter.Dispose();

    /// <summary>The fixed reason codes of <c>reject</c>.</summary>
    public static class RejectReasons
    {
        public const string BadRequest = "bad_request";
        public const string NoRoute = "no_route";
        public const string RequestTooLarge = "request_too_large";
        public const string AuditUnavailable = "audit_unavailable";
    }

    /// <summary>The values of the <c>result</c> tag of <c>vigil.identity.logins</c>.</summary>
    public static class LoginResults
    {
        /// <summary>Signed in.</summary>
        public const string Success = "success";

        /// <summary>Wrong password or second factor, disabled account, failed security-key ceremony.</summary>
        public const string Failure = "failure";

        /// <summary>Refused because the account or the address is banned.</summary>
        public const string Banned = "banned";

        /// <summary>Password accepted, a second factor is asked next.</summary>
        public const string MfaRequired = "mfa_required";
    }
}
