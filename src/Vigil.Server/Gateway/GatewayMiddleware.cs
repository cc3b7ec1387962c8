using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Decisions;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Sessions;
using Vigil.Server.Telemetry;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Server.Gateway;

/// <summary>
/// The policy enforcement point. For every request: normalize, route, authenticate, build the decision input,
/// decide, then forward, step up, challenge or deny, and record the decision. Requests under <c>/.vigil/</c>
/// (login, provider, JWKS) continue to Vigil's own endpoints. Any exception before forwarding denies.
/// </summary>
internal sealed partial class GatewayMiddleware(
    RequestDelegate next,
    GatewayState state,
    IHttpForwarder yarp,
    ForwarderHttpClient httpClient,
    Http1Forwarder forwarder,
    AssertionSigner signer,
    DecisionLog log,
    SessionCache sessions,
    SessionRevocations revocations,
    TimeProvider time,
    VigilMetrics metrics,
    ILogger<GatewayMiddleware> logger)
{
    private readonly string _cookieName = state.Current.Config.Session.CookieName;
    private readonly GatewayTransformer _transformer = new(state.Current.Config.Session.CookieName);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = NewRequestId();
        context.Response.Headers[IdentityHeaders.RequestId] = requestId;
        var runtime = state.Current;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        var target = RequestNormalizer.Normalize(rawTarget);
        var host = HostNormalizer.Normalize(context.Request.Headers.Host.Count == 1 ? context.Request.Headers.Host[0] : null);
        var clientIp = ClientAddressResolver.Resolve(context.Connection.RemoteIpAddress, runtime.Config.Server.TrustedProxies, context.Request.Headers["X-Forwarded-For"]);
        var headerReject = RequestHeadChecks.Check(context.Request);
        // WebSockets over HTTP/2 (RFC 8441) arrive as an extended CONNECT; they are relayed as the HTTP/1.1 upgrade (a GET)
        // the upstream receives, and decided as that. Other protocols over extended CONNECT are refused.
        var extendedConnect = context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect ? connect.Protocol ?? "" : null;
        if (extendedConnect is not null && !extendedConnect.Equals("websocket", StringComparison.OrdinalIgnoreCase))
        {
            headerReject = RejectReason.UnsupportedProtocol;
        }

        if (!target.IsValid || host is null || headerReject != RejectReason.None)
        {
            var (part, reason) = host is null ? ("host", RejectReason.BadHost) : !target.IsValid ? ("path", target.Reject) : ("header section", headerReject);
            await RefuseAmbiguousAsync(context, requestId, clientIp.ToString(), host, Truncate(rawTarget), null, part, reason, started).ConfigureAwait(false);
            return;
        }

        // Everything downstream (routing, OIDC redirect URIs, the provider) sees the normalized host.
        var port = context.Request.Host.Port;
        context.Request.Host = port is null ? new HostString(host) : new HostString(host, port.Value);
        if (IsVigilPath(target.Path))
        {
            context.Items[RequestIdKey] = requestId;
            // Vigil's own pages and endpoints query the store, which may block (SQLite): never on an I/O thread.
            await LeaveIoThread();
            await next(context).ConfigureAwait(false);
            return;
        }

        var route = runtime.Match(host, target.Path);
        if (route is null)
        {
            Record(Rejected(context, requestId, clientIp.ToString(), host, target.Path, null, "no_route", started));
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status404NotFound, "Not found", "no_route", "No application is published at this address.", requestId).ConfigureAwait(false);
            return;
        }

        if (target.Unusual != RejectReason.None && !UnusualPathAllowed(runtime, route, host, target.Path))
        {
            await RefuseAmbiguousAsync(context, requestId, clientIp.ToString(), host, target.Path, route.Config, "path", target.Unusual, started).ConfigureAwait(false);
            return;
        }

        // The method the policy decides on is the one the upstream acts on: an extended CONNECT goes upstream as a GET
        // upgrade, and a route that lets the policy decide on method overrides passes the override on.
        var method = extendedConnect is not null ? HttpMethods.Get : context.Request.Method;
        if (route.Config.MethodOverride == MethodOverrideMode.Decide)
        {
            var (overridden, overrideReject) = RequestHeadChecks.MethodOverride(context.Request.Headers);
            if (overrideReject != RejectReason.None)
            {
                await RefuseAmbiguousAsync(context, requestId, clientIp.ToString(), host, target.Path, route.Config, "method", overrideReject, started).ConfigureAwait(false);
                return;
            }

            method = overridden ?? method;
        }

        if (!log.Healthy && runtime.Config.Audit.OnFailure == AuditFailureMode.Deny)
        {
            // No access that is not on record: while the decision log cannot be written, nothing is forwarded. The
            // refusal is recorded all the same: each attempt to write it is also how the log finds out it works again.
            Record(Rejected(context, requestId, clientIp.ToString(), host, target.Path, route.Config, "audit_unavailable", started));
            await WriteAuditUnavailableAsync(context, requestId).ConfigureAwait(false);
            return;
        }

        var config = route.Config;
        Subject subject;
        string? authError = null;
        try
        {
            (subject, authError) = await AuthenticateAsync(context, route, sessions, revocations, state.Current.Config.Session.CookieName).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuthenticationFailed(logger, ex, requestId);
            subject = Subject.Anonymous;
            authError = "authentication_error";
        }

        var now = time.GetUtcNow();
        var clientIpText = clientIp.ToString();
        var audit = new DecisionFacts(now, requestId, subject, clientIpText, method, host, target.Path, config.Name, config.Resource.Name);

        if (config.Auth != AuthMode.Public && !subject.IsAuthenticated)
        {
            var browser = GatewayResponses.IsBrowser(context.Request);
            if (config.Auth == AuthMode.Session && browser && authError is null && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
            {
                Record(audit.Record("challenge", "login_required", null, Elapsed(started)));
                await context.ChallengeAsync(SessionSchemes.Oidc, new AuthenticationProperties { RedirectUri = target.Path + target.Query }).ConfigureAwait(false);
                return;
            }

            Record(audit.Record("challenge", authError ?? "authentication_required", null, Elapsed(started)));
            context.Response.Headers.WWWAuthenticate = config.Auth == AuthMode.Jwt
                ? (authError is null ? "Bearer realm=\"vigil\"" : "Bearer realm=\"vigil\", error=\"invalid_token\"")
                : "Session realm=\"vigil\", login=\"/.vigil/login\"";
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication required", authError is null ? "authentication_required" : "invalid_credentials",
                "Sign in to reach this application.", requestId).ConfigureAwait(false);
            return;
        }

        if (route.DecidesSlowly(now))
        {
            // This route's policy recently took long to evaluate: keep such evaluations off the I/O threads, where they
            // would hold up every other connection of the thread.
            await LeaveIoThread();
        }

        Decision decision;
        var decideStarted = Stopwatch.GetTimestamp();
        try
        {
            var facts = new RequestFacts(requestId, method, target.Path, host, target.Query, clientIpText, context.Request.Scheme,
                context.Request.Protocol, extendedConnect is not null || context.WebSockets.IsWebSocketRequest, now);
            var input = DecisionInput.Build(subject, config, facts, route.Resource);
            decision = runtime.DecisionPoint.Decide(config.Query, input);
            route.NoteDecisionTime(Stopwatch.GetElapsedTime(decideStarted), now);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDecisionFailed(logger, ex, requestId);
            decision = Decision.Deny("decision_error", ex.GetType().Name);
        }

        if (decision.Error is not null)
        {
            LogPolicyError(logger, requestId, config.Name, decision.Error);
        }

        var outcome = "allow";
        if (!decision.Allow)
        {
            if (decision.StepUpMaxAge is { } maxAge && config.Auth == AuthMode.Session && config.Mode == EnforcementMode.Enforce && !RecentlySteppedUp(subject, now))
            {
                Record(audit.Record("step_up", decision.Reason, decision.Rule, Elapsed(started)));
                if (GatewayResponses.IsBrowser(context.Request) && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)))
                {
                    var properties = new AuthenticationProperties { RedirectUri = target.Path + target.Query };
                    properties.Items[SessionSchemes.StepUpMaxAgeItem] = ((long)maxAge.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await context.ChallengeAsync(SessionSchemes.Oidc, properties).ConfigureAwait(false);
                    return;
                }

                context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"vigil\", error=\"insufficient_user_authentication\", max_age={(long)maxAge.TotalSeconds}, acr_values=\"mfa\"";
                await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Fresh MFA required", "step_up_required", decision.Reason, requestId).ConfigureAwait(false);
                return;
            }

            if (config.Mode == EnforcementMode.Enforce)
            {
                Record(audit.Record("deny", decision.Reason, decision.Rule, Elapsed(started)));
                await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Access denied", decision.Error is null ? "denied" : "policy_error",
                    decision.Error is null ? decision.Reason : "The access policy could not be evaluated, so access is denied.", requestId).ConfigureAwait(false);
                return;
            }

            outcome = "would_deny";
        }

        if (config.MaxRequestBody is { } maxBody && context.Request.ContentLength > maxBody)
        {
            // Announced too large: refused before anything reaches the upstream. (Bodies without a length are counted
            // as they stream, below.)
            Record(audit.Record("reject", "request_too_large", null, Elapsed(started)));
            await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Request too large", "request_too_large",
                $"This application accepts request bodies up to {maxBody} bytes.", requestId).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = config.MaxRequestBody;
        }

        // Not forwarded before its record is in the log (audit.durability), so a crash loses no forwarded request's record.
        var record = audit.Record(outcome, decision.Reason, decision.Rule, Elapsed(started));
        if (!await log.RecordAndWaitAsync(record, resumeOnWriter: true).ConfigureAwait(false) && runtime.Config.Audit.OnFailure == AuditFailureMode.Deny)
        {
            Record(Rejected(context, requestId, clientIpText, host, target.Path, config, "audit_unavailable", started));
            await WriteAuditUnavailableAsync(context, requestId).ConfigureAwait(false);
            return;
        }

        metrics.Decision(config.Name, outcome, record.LatencyMs ?? 0);
        string? assertion = null;
        if (subject.IsAuthenticated)
        {
            assertion = signer.GetAssertion(subject, config.Name);
        }

        var forward = new ForwardContext
        {
            Path = config.StripPath ? StripPrefix(target.Path, config.Path) : target.Path, Query = target.Query, Host = host,
            UpstreamHost = config.PreserveHost ? Authority(host, context.Request.Host.Port) : null, ClientIp = clientIpText, RequestId = requestId, Decision = outcome,
            Subject = subject, Assertion = assertion, UpstreamTimeout = config.UpstreamTimeout, PassHeaders = route.PassHeaders,
        };
        var destination = route.NextDestination(now);
        if (extendedConnect is not null || context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } || context.WebSockets.IsWebSocketRequest)
        {
            // Upgrades (WebSockets) take YARP's path, which relays the upgraded stream both ways.
            context.Features.Set(forward);
            var error = await yarp.SendAsync(context, destination.Prefix, destination.UpgradeInvoker ?? httpClient.Invoker, route.ForwarderConfig, _transformer).ConfigureAwait(false);
            if (error != ForwarderError.None)
            {
                LogForwardFailed(logger, requestId, config.Name, error.ToString());
                var failed = error switch
                {
                    ForwarderError.RequestTimedOut => ForwardResult.Timeout,
                    // Refused or unreachable: counted like the forwarder's own connect failures.
                    ForwarderError.Request when context.Features.Get<IForwarderErrorFeature>()?.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                        => ForwardResult.ConnectFailed,
                    _ => ForwardResult.RequestFailed,
                };
                if (error is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled
                    or ForwarderError.UpgradeResponseCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestClient
                    or ForwarderError.UpgradeResponseClient))
                {
                    // The client's side failing is not the upstream's.
                    metrics.UpstreamError(config.Name, failed);
                }

                await WriteForwardErrorAsync(context, requestId, failed, config.MaxRequestBody).ConfigureAwait(false);
            }

            return;
        }

        var result = await forwarder.ForwardAsync(context, destination, forward, _cookieName).ConfigureAwait(false);
        if (result == ForwardResult.ConnectFailed && route.DestinationCount > 1)
        {
            // Nothing reached that upstream, not even the request body: take it out of the rotation for a while and
            // send the request once more, to another one. (The failed attempt is counted although the retry may succeed.)
            metrics.UpstreamError(config.Name, result);
            MarkDown(destination, config.Name);
            destination = route.NextDestination(time.GetUtcNow(), except: destination);
            result = await forwarder.ForwardAsync(context, destination, forward, _cookieName).ConfigureAwait(false);
            if (result == ForwardResult.ConnectFailed)
            {
                MarkDown(destination, config.Name);
            }
        }

        if (result is ForwardResult.Completed or ForwardResult.ClientAborted)
        {
            return;
        }

        if (result == ForwardResult.BadRequestBody)
        {
            // A body that breaks HTTP/1.1 framing is the client's error, not the upstream's.
            metrics.ClientError(config.Name, result);
            LogClientBodyRefused(logger, requestId, config.Name);
        }
        else if (result != ForwardResult.RequestTooLarge)
        {
            // A body over the limit is the client's doing; everything else is the upstream's.
            metrics.UpstreamError(config.Name, result);
            LogForwardFailed(logger, requestId, config.Name, result.ToString());
        }
        else
        {
            metrics.ClientError(config.Name, result);
        }

        await WriteForwardErrorAsync(context, requestId, result, config.MaxRequestBody).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a path that common upstreams read differently may go to this route: only when the route allows unusual
    /// paths, and only when the path, read as Windows and IIS read it (trailing dots and spaces of each segment
    /// dropped), still belongs to this route — so <c>/admin.</c> can never reach the admin route's upstream through a
    /// lenient catch-all.
    /// </summary>
    private static bool UnusualPathAllowed(GatewayRuntime runtime, RouteRuntime route, string host, string path) =>
        route.Config.AllowUnusualPaths && runtime.Match(host, RequestNormalizer.TrimSegmentEnds(path)) == route;

    /// <summary>Records and answers a request refused as ambiguous (400 <c>ambiguous_request</c>).</summary>
    private async Task RefuseAmbiguousAsync(HttpContext context, string requestId, string clientIp, string? host, string path, RouteConfig? route,
        string part, RejectReason reason, long started)
    {
        Record(Rejected(context, requestId, clientIp, host, path, route, "bad_request:" + reason, started));
        await GatewayResponses.WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Bad request", "ambiguous_request",
            $"The request was refused because its {part} is ambiguous ({reason}).", requestId).ConfigureAwait(false);
    }

    /// <summary>
    /// The normalized host with the client's port, as the upstream receives it when the route preserves the host. Built
    /// here rather than read back from <see cref="HostString"/>, which turns punycode (<c>xn--bcher-kva</c>) into Unicode.
    /// </summary>
    private static string Authority(string host, int? port) =>
        port is { } p ? host + ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : host;

    /// <summary>The path without the route's prefix (which it matched on a segment boundary): <c>/app/x</c> → <c>/x</c>, <c>/app</c> → <c>/</c>.</summary>
    internal static string StripPrefix(string path, string prefix) =>
        prefix == "/" ? path : path.Length == prefix.Length ? "/" : path[prefix.Length..];

    private void MarkDown(UpstreamDestination destination, string route)
    {
        destination.MarkDown(time.GetUtcNow() + RouteRuntime.DownTime);
        LogUpstreamDown(logger, destination.Prefix, route, RouteRuntime.DownTime.TotalSeconds);
    }

    /// <summary>
    /// Answers a forward that failed: 413 when the body grew past the route's limit, 504 when the upstream stayed silent,
    /// else 502; a response already under way is cut off instead (the client must not take it for whole).
    /// </summary>
    private static async Task WriteForwardErrorAsync(HttpContext context, string requestId, ForwardResult result, long? maxRequestBody)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.Headers[IdentityHeaders.RequestId] = requestId;
        var (status, title, code, detail) = result switch
        {
            ForwardResult.RequestTooLarge => (StatusCodes.Status413PayloadTooLarge, "Request too large", "request_too_large",
                $"This application accepts request bodies up to {maxRequestBody} bytes."),
            ForwardResult.Timeout => (StatusCodes.Status504GatewayTimeout, "Gateway timeout", "upstream_timeout", "The application did not answer in time."),
            ForwardResult.BadRequestBody => (StatusCodes.Status400BadRequest, "Bad request", "bad_request_body",
                "The request body's framing is not valid HTTP/1.1 (RFC 9112), so it was not forwarded."),
            _ => (StatusCodes.Status502BadGateway, "Bad gateway", "upstream_unavailable", "The application did not answer."),
        };
        await GatewayResponses.WriteProblemAsync(context, status, title, code, detail, requestId).ConfigureAwait(false);
    }

    public const string RequestIdKey = "vigil.request_id";

    private static ValueTask<Subject> SessionAsync(HttpContext context, SessionCache sessions, SessionRevocations revocations, string cookieName)
    {
        // The common case, a known session in a plain Cookie header, is answered without parsing the cookie collection.
        if (SessionCookie.TryFind(context.Request.Headers.Cookie, cookieName, out var value) && sessions.TryGet(value, out var known))
        {
            // Revocation is checked on every request, cache hits included, so a logged-out cookie fails at once.
            return ValueTask.FromResult(revocations.IsRevoked(known) ? Subject.Anonymous : known);
        }

        return SessionSlowAsync(context, sessions, revocations, cookieName);
    }

    private static async ValueTask<Subject> SessionSlowAsync(HttpContext context, SessionCache sessions, SessionRevocations revocations, string cookieName)
    {
        var cookie = context.Request.Cookies[cookieName];
        if (string.IsNullOrEmpty(cookie))
        {
            return Subject.Anonymous;
        }

        // Large tickets are split into chunk cookies; those are not cached (the first cookie is only a marker).
        var chunked = cookie.StartsWith("chunks-", StringComparison.Ordinal);
        if (!chunked && sessions.TryGet(cookie, out var cached))
        {
            // Revocation is checked on every request, cache hits included, so a logged-out cookie fails at once.
            return revocations.IsRevoked(cached) ? Subject.Anonymous : cached;
        }

        // A miss decrypts the ticket (the data-protection key ring may be read from disk) and looks the user up in the
        // store: both may block, so they run off the I/O thread. Misses happen at most every SessionCache.MaxAge per cookie.
        await LeaveIoThread();
        var result = await context.AuthenticateAsync(SessionSchemes.Cookie).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return Subject.Anonymous;
        }

        var subject = FromSession(result);
        if (revocations.IsRevoked(subject))
        {
            return Subject.Anonymous;
        }

        // Sessions of the built-in provider end when the user is disabled or removed (checked at every cache miss,
        // so within SessionCache.MaxAge).
        if (context.RequestServices.GetService(typeof(VigilConfig)) is VigilConfig { Identity.Provider: "builtin" })
        {
            await using var scope = context.RequestServices.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<Vigil.Server.Identity.UserService>();
            var user = await users.FindByIdAsync(subject.Id, context.RequestAborted).ConfigureAwait(false);
            if (user is null || user.Disabled)
            {
                return Subject.Anonymous;
            }
        }

        if (!chunked)
        {
            sessions.Add(cookie, subject, result.Properties?.ExpiresUtc);
        }
        return subject;
    }

    private static ValueTask<(Subject Subject, string? Error)> AuthenticateAsync(HttpContext context, RouteRuntime route, SessionCache sessions, SessionRevocations revocations, string cookieName)
    {
        switch (route.Config.Auth)
        {
            case AuthMode.Public:
            // Public routes still see a session if there is one, so policy can personalise.
            case AuthMode.Session:
                var session = SessionAsync(context, sessions, revocations, cookieName);
                return session.IsCompletedSuccessfully ? ValueTask.FromResult<(Subject, string?)>((session.Result, null)) : AwaitSessionAsync(session);
            case AuthMode.Jwt:
                return BearerAsync(context, route);
            default:
                return ValueTask.FromResult<(Subject, string?)>((Subject.Anonymous, "unsupported_auth_mode"));
        }

        static async ValueTask<(Subject Subject, string? Error)> AwaitSessionAsync(ValueTask<Subject> session) => (await session.ConfigureAwait(false), null);
    }

    /// <summary>A <c>jwt</c> route's caller: the bearer token validated against the route's issuer, keys and audiences.</summary>
    private static async ValueTask<(Subject Subject, string? Error)> BearerAsync(HttpContext context, RouteRuntime route)
    {
        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return (Subject.Anonymous, null);
        }

        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (Subject.Anonymous, "invalid_authorization_header");
        }

        var (identity, error) = await route.Jwt!.ValidateAsync(value["Bearer ".Length..].Trim(), context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            return (Subject.Anonymous, error ?? "invalid_token");
        }

        var subject = Subject.FromClaims(identity.Claims, null);
        return subject.IsAuthenticated ? (subject, null) : (Subject.Anonymous, "token_without_subject");
    }

    /// <summary>
    /// Continues on a thread-pool thread. With inline I/O (<c>server.inline_io</c>) requests run on the socket threads,
    /// where anything that blocks (SQLite calls are synchronous underneath) would stall every connection of that thread.
    /// </summary>
    private static YieldAwaitable LeaveIoThread() => Task.Yield();

    private static Subject FromSession(AuthenticateResult result) =>
        Subject.FromClaims(result.Principal!.Claims, result.Principal.FindFirst(SessionSchemes.SessionIdClaim)?.Value);

    private static bool RecentlySteppedUp(Subject subject, DateTimeOffset now) =>
        subject.MfaTime is { } mfa && now - mfa < TimeSpan.FromSeconds(10);

    internal static bool IsVigilPath(string path) =>
        path.StartsWith("/.vigil/", StringComparison.OrdinalIgnoreCase) || path.Equals("/.vigil", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWith("/.well-known/openid-configuration", StringComparison.OrdinalIgnoreCase);

    /// <summary>The record of a request refused before authentication (bad request, no route, decision log down).</summary>
    private AuditRecord Rejected(HttpContext context, string requestId, string clientIp, string? host, string path, RouteConfig? route, string reason, long started) => new()
    {
        Kind = "decision", Time = time.GetUtcNow(), RequestId = requestId, ClientIp = clientIp, Method = context.Request.Method, Host = host, Path = path,
        Route = route?.Name, Resource = route?.Resource.Name, Decision = "reject", Reason = reason, LatencyMs = Elapsed(started),
    };

    /// <summary>Records the request's one decision in the log and counts it (<c>vigil.gateway.decisions</c>, duration).</summary>
    private void Record(AuditRecord record)
    {
        log.Record(record);
        var elapsed = record.LatencyMs ?? 0;
        if (record.Decision == "reject")
        {
            metrics.Reject(record.Route, RejectCode(record.Reason), elapsed);
        }
        else
        {
            metrics.Decision(record.Route ?? "", record.Decision, elapsed);
        }
    }

    /// <summary>503 <c>audit_unavailable</c>: access is paused while decisions cannot be recorded.</summary>
    private static Task WriteAuditUnavailableAsync(HttpContext context, string requestId)
    {
        context.Response.Headers.RetryAfter = "5";
        return GatewayResponses.WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", "audit_unavailable",
            "Access is paused because decisions cannot be recorded right now.", requestId);
    }

    /// <summary>The fixed code of a refusal's reason (the record keeps the detail; a metric label must stay bounded).</summary>
    private static string RejectCode(string? reason) => reason switch
    {
        VigilMetrics.RejectReasons.NoRoute or VigilMetrics.RejectReasons.RequestTooLarge or VigilMetrics.RejectReasons.AuditUnavailable => reason,
        _ when reason is not null && reason.StartsWith("bad_request:", StringComparison.Ordinal) => VigilMetrics.RejectReasons.BadRequest,
        _ => "other",
    };

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static string Truncate(string text) => text.Length > 512 ? text[..512] : text;

    /// <summary>
    /// A 96-bit random correlation id. It grants nothing (it is shown on error pages and logged), so a fast
    /// non-cryptographic generator is enough; the cryptographic one cost a system call on every request.
    /// </summary>
    private static string NewRequestId()
    {
        Span<byte> bytes = stackalloc byte[12];
#pragma warning disable CA5394 // not a secret: a correlation id
        Random.Shared.NextBytes(bytes);
#pragma warning restore CA5394
        return Convert.ToHexStringLower(bytes);
    }
}

/// <summary>What every decision record of one request shares; each outcome becomes exactly one <see cref="AuditRecord"/>.</summary>
internal readonly record struct DecisionFacts(DateTimeOffset Time, string RequestId, Subject Subject, string ClientIp, string Method, string Host, string Path,
    string Route, string Resource)
{
    public AuditRecord Record(string decision, string? reason, string? rule, double latencyMs) => new()
    {
        Kind = "decision", Time = Time, RequestId = RequestId, Subject = Subject.IsAuthenticated ? Subject.Id : null, SubjectType = Subject.Type,
        Session = Subject.SessionId, ClientIp = ClientIp, Method = Method, Host = Host, Path = Path, Route = Route, Resource = Resource,
        Decision = decision, Reason = reason, Rule = rule, LatencyMs = latencyMs,
    };
}

/// <summary>The one pooled HTTP client used to reach upstreams (YARP path: upgrades).</summary>
internal sealed class ForwarderHttpClient : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = int.MaxValue,
    }, disposeHandler: true);

    public void Dispose() => Invoker.Dispose();
}
