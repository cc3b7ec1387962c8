using System.Collections.Frozen;
using System.Security.Cryptography.X509Certificates;
using Vigil.Policy.Values;
using Vigil.Server.Configuration;
using Vigil.Server.Decisions;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Sessions;

namespace Vigil.Server.Gateway;

/// <summary>One route, ready for the hot path.</summary>
internal sealed class RouteRuntime(RouteConfig config, BearerTokenValidator? jwt, UpstreamPools pools, X509Certificate2Collection? upstreamRoots = null)
{
    private readonly UpstreamDestination[] _destinations = config.Upstreams.Select(u => pools.Destination(u, upstreamRoots)).ToArray();
    private int _next;

    public RouteConfig Config { get; } = config;

    public ObjectValue Resource { get; } = DecisionInput.Resource(config);

    public BearerTokenValidator? Jwt { get; } = jwt;

    /// <summary>
    /// The client headers this route passes through the stripping of identity and forwarding families: its
    /// <c>pass_headers</c>, and the method-override headers when the policy decides on the overridden method.
    /// </summary>
    public FrozenSet<string>? PassHeaders { get; } = PassSet(config);

    private static FrozenSet<string>? PassSet(RouteConfig config)
    {
        var names = config.PassHeaders.Concat(config.MethodOverride == MethodOverrideMode.Decide ? RequestHeadChecks.MethodOverrideHeaders : []).ToArray();
        return names.Length == 0 ? null : names.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>YARP's settings for this route's upgraded requests (WebSockets): the route's upstream timeout.</summary>
    public Yarp.ReverseProxy.Forwarder.ForwarderRequestConfig ForwarderConfig { get; } = new() { ActivityTimeout = config.UpstreamTimeout };

    /// <summary>
    /// A decision slower than this counts as slow. When at least <see cref="SlowPerWindow"/> of a window of
    /// <see cref="Window"/> decisions were slow, the route's decisions move off the I/O threads for
    /// <see cref="SlowDecisionHold"/>. One slow decision alone (a thread preempted on a busy machine, a GC pause) does not.
    /// </summary>
    public static readonly TimeSpan SlowDecision = TimeSpan.FromMilliseconds(1);

    public static readonly TimeSpan SlowDecisionHold = TimeSpan.FromSeconds(30);

    private const int Window = 16;
    private const int SlowPerWindow = 4;

    /// <summary>Decisions of a route not judged for slowness: the first evaluations include JIT compilation.</summary>
    private const int WarmUpDecisions = 20;

    private long _slowUntilTicks;
    private int _decisions;
    private int _slowInWindow;

    /// <summary>Whether this route's policy was found slow within <see cref="SlowDecisionHold"/>.</summary>
    public bool DecidesSlowly(DateTimeOffset now) => Volatile.Read(ref _slowUntilTicks) > now.UtcTicks;

    public void NoteDecisionTime(TimeSpan elapsed, DateTimeOffset now)
    {
        var count = Interlocked.Increment(ref _decisions);
        if (count <= WarmUpDecisions)
        {
            return;
        }

        var slow = elapsed > SlowDecision ? Interlocked.Increment(ref _slowInWindow) : Volatile.Read(ref _slowInWindow);
        if (slow >= SlowPerWindow)
        {
            Volatile.Write(ref _slowUntilTicks, (now + SlowDecisionHold).UtcTicks);
        }

        if ((count - WarmUpDecisions) % Window == 0)
        {
            Volatile.Write(ref _slowInWindow, 0);
        }
    }

    /// <summary>How long an upstream that refused a connection is left out of the rotation.</summary>
    public static readonly TimeSpan DownTime = TimeSpan.FromSeconds(10);

    public int DestinationCount => _destinations.Length;

    /// <summary>
    /// Round-robin over the upstreams, skipping those that refused a connection within <see cref="DownTime"/>
    /// (passive health checking); when all are down, the rotation goes on regardless so they are retried.
    /// </summary>
    public UpstreamDestination NextDestination(DateTimeOffset now, UpstreamDestination? except = null)
    {
        if (_destinations.Length == 1)
        {
            return _destinations[0];
        }

        var start = (uint)Interlocked.Increment(ref _next);
        for (var i = 0u; i < (uint)_destinations.Length; i++)
        {
            var candidate = _destinations[(int)((start + i) % (uint)_destinations.Length)];
            if (candidate != except && !candidate.IsDown(now))
            {
                return candidate;
            }
        }

        var fallback = _destinations[(int)(start % (uint)_destinations.Length)];
        return fallback == except ? _destinations[(int)((start + 1) % (uint)_destinations.Length)] : fallback;
    }

    public bool Matches(string host, string path)
    {
        if (Config.Host is not null && !string.Equals(Config.Host, host, StringComparison.Ordinal))
        {
            return false;
        }

        var prefix = Config.Path;
        if (prefix == "/")
        {
            return true;
        }

        return path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == prefix.Length || path[prefix.Length] == '/');
    }
}

/// <summary>An immutable snapshot of what a configuration means at run time: routes and compiled policies.</summary>
internal sealed class GatewayRuntime
{
    private readonly RouteRuntime[] _routes;

    public GatewayRuntime(VigilConfig config, IDecisionPoint decisionPoint, IEnumerable<RouteRuntime> routes)
    {
        Config = config;
        DecisionPoint = decisionPoint;

        // Most specific first: a host-bound route before a wildcard one, then longer paths first.
        _routes = routes.OrderBy(r => r.Config.Host is null ? 1 : 0).ThenByDescending(r => r.Config.Path.Length).ToArray();
    }

    public VigilConfig Config { get; }

    public IDecisionPoint DecisionPoint { get; }

    public IReadOnlyList<RouteRuntime> Routes => _routes;

    public RouteRuntime? Match(string host, string path)
    {
        foreach (var route in _routes)
        {
            if (route.Matches(host, path))
            {
                return route;
            }
        }

        return null;
    }
}

/// <summary>Builds runtimes from configurations; a failure leaves the previous runtime in place.</summary>
internal sealed class GatewayRuntimeFactory(TimeProvider time, HttpClient backchannel, UpstreamPools pools)
{
    public GatewayRuntime Build(VigilConfig config)
    {
        IDecisionPoint decisionPoint;
        try
        {
            decisionPoint = RegoDecisionPoint.Load(config.Policies.Directories, config.Policies.EvaluationTimeout, time);
        }
        catch (Exception ex) when (ex is Vigil.Policy.PolicyException or IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(ConfigErrorCodes.Policy, "policies", 0, 0, ex.Message)]);
        }

        var errors = new List<ConfigError>();
        var routes = new List<RouteRuntime>();
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            if (decisionPoint.Prepare(route.Query) is { } error)
            {
                errors.Add(new ConfigError(ConfigErrorCodes.Policy, $"routes[{i}].query", 0, 0, $"query '{route.Query}' does not compile: {error}"));
            }

            X509Certificate2Collection? roots = null;
            if (route.UpstreamCa is { } ca)
            {
                (roots, var caError) = UpstreamTrust.Load(ca);
                if (caError is not null)
                {
                    errors.Add(new ConfigError(ConfigErrorCodes.Invalid, $"routes[{i}].upstream_ca", 0, 0, caError));
                    continue;
                }
            }

            routes.Add(new RouteRuntime(route, route.Jwt is null ? null : new BearerTokenValidator(route.Jwt, backchannel, time), pools, roots));
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return new GatewayRuntime(config, decisionPoint, routes);
    }
}
