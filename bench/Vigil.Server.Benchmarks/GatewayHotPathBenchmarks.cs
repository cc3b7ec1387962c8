using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Vigil.Server.Audit;
using Vigil.Server.Configuration;
using Vigil.Server.Decisions;
using Vigil.Server.Gateway;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Sessions;

namespace Vigil.Server.Benchmarks;

/// <summary>
/// The gateway's own per-request work, piece by piece, as `bench/gateway/run.sh` exercises it end to end: the demo
/// policy's decision with its input, the hash-chained decision record, the session cookie lookup and the upstream
/// cookie filtering. Figures per call; the gateway benchmark's README relates them to the throughput budget.
/// </summary>
[MemoryDiagnoser]
public class GatewayHotPathBenchmarks
{
    private const string CookieName = "__vigil_session";
    private RegoDecisionPoint _decisions = null!;
    private RouteConfig _route = null!;
    private Policy.Values.ObjectValue _resource = null!;
    private Subject _subject = null!;
    private SessionCache _sessions = null!;
    private StringValues _cookieHeader;
    private DecisionFacts _facts;

    [GlobalSetup]
    public void Setup()
    {
        var policies = Path.Combine(RepositoryRoot(), "examples", "gateway", "policies");
        _decisions = RegoDecisionPoint.Load([policies], TimeSpan.FromSeconds(1), TimeProvider.System);
        _route = new RouteConfig
        {
            Name = "app", Path = "/", Query = "data.vigil.gateway.decision", Upstreams = [new Uri("http://127.0.0.1:9")],
            Resource = new ResourceConfig { Name = "app", Classification = "internal" },
        };
        if (_decisions.Prepare(_route.Query) is { } error)
        {
            throw new InvalidOperationException(error);
        }

        _resource = DecisionInput.Resource(_route);
        _subject = new Subject
        {
            Id = "0f6c2a7e-5b1d-4a8e-9c3f-2d7b6e1a4c90", Type = SubjectTypes.User, Name = "Bench User", Email = "bench@example.com",
            Roles = ["engineer"], Groups = ["staff"], Amr = ["pwd"], AuthTime = DateTimeOffset.UtcNow.AddMinutes(-5), SessionId = "s-0123456789",
            Issuer = "http://127.0.0.1:8080/.vigil/idp",
        };
        if (!Decide())
        {
            throw new InvalidOperationException("the benchmark request should be allowed by the demo policy");
        }

        // A session ticket is about 840 base64url characters.
        var ticket = Convert.ToBase64String(new byte[630]).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        _sessions = new SessionCache(TimeProvider.System);
        _sessions.Add(ticket, _subject, null);
        _cookieHeader = new StringValues(CookieName + "=" + ticket);
        _facts = new DecisionFacts(DateTimeOffset.UtcNow, "5f0c1e2d3a4b5c6d7e8f9a0b", _subject, "127.0.0.1", "GET", "127.0.0.1", "/bench", "app", "app");
    }

    [Benchmark(Description = "decision: input + Rego (demo policy)")]
    public bool Decide()
    {
        var request = new RequestFacts("5f0c1e2d3a4b5c6d7e8f9a0b", "GET", "/bench", "127.0.0.1", "", "127.0.0.1", "http", "HTTP/1.1", false, DateTimeOffset.UtcNow);
        return _decisions.Decide(_route.Query, DecisionInput.Build(_subject, _route, request, _resource)).Allow;
    }

    [Benchmark(Description = "decision record: JSON + SHA-256 chain")]
    public int SealRecord() =>
        AuditChain.SealInPlace(_facts.Record("allow", "allowed", "internal_authenticated", 0.0123), 12345, AuditChain.Genesis).Line.Length;

    [Benchmark(Description = "session: cookie header -> cached subject")]
    public bool SessionLookup() => SessionCookie.TryFind(_cookieHeader, CookieName, out var value) && _sessions.TryGet(value, out _);

    [Benchmark(Description = "session: ASP.NET Core cookie collection (for comparison)")]
    public bool SessionLookupThroughCookieCollection()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = _cookieHeader;
        return _sessions.TryGet(context.Request.Cookies[CookieName]!, out _);
    }

    [Benchmark(Description = "upstream Cookie header without Vigil's cookies")]
    public string? FilterCookies() => ForwardHeaders.FilterCookies(_cookieHeader, CookieName);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the repository (Vigil.slnx not found above the binaries)");
    }
}
