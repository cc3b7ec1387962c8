using System.Globalization;
using Vigil.Policy.Values;
using Vigil.Server.Configuration;
using Vigil.Server.Sessions;

namespace Vigil.Server.Decisions;

/// <summary>Request facts the gateway hands to the decision input.</summary>
internal readonly record struct RequestFacts(
    string Id,
    string Method,
    string Path,
    string Host,
    string Query,
    string ClientIp,
    string Scheme,
    string Protocol,
    bool WebSocket,
    DateTimeOffset Time);

/// <summary>
/// Builds the versioned decision input documented in <c>docs/decision-input.md</c>
/// (<c>version</c>, <c>type</c>, <c>user</c>, <c>service</c>, <c>request</c>, <c>resource</c>, <c>device</c>, <c>tls</c>, <c>mode</c>).
/// </summary>
internal static class DecisionInput
{
    public const int Version = 1;

    private static readonly StringValue KVersion = S("version"), KType = S("type"), KUser = S("user"), KRequest = S("request"),
        KResource = S("resource"), KDevice = S("device"), KService = S("service"), KTls = S("tls"), KMode = S("mode");

    // Keys and constant values of the per-request objects, allocated once: the hot path builds only what varies.
    private static readonly StringValue KId = S("id"), KMethod = S("method"), KPath = S("path"), KHost = S("host"), KQueryString = S("query_string"),
        KQuery = S("query"), KClientIp = S("client_ip"), KScheme = S("scheme"), KProtocol = S("protocol"), KWebSocket = S("websocket"),
        KTime = S("time"), KTimeNs = S("time_ns");

    private static readonly Value VersionValue = Value.From(Version), AuditMode = S("audit"), EnforceMode = S("enforce"),
        UserType = S(SubjectTypes.User), ServiceType = S(SubjectTypes.Service), AnonymousType = S(SubjectTypes.Anonymous), EmptyString = S("");

    private static readonly ObjectValue UnverifiedTls = ObjectValue.Create([new KeyValuePair<string, Value>("verified", Value.False)]);

    private static readonly ObjectValue AnonymousUser = ObjectValue.Create(
    [
        new KeyValuePair<string, Value>("authenticated", Value.False),
        new KeyValuePair<string, Value>("mfa_verified", Value.False),
        new KeyValuePair<string, Value>("roles", ArrayValue.Empty),
        new KeyValuePair<string, Value>("groups", ArrayValue.Empty),
    ]);

    private static readonly Dictionary<string, StringValue> CommonStrings = new[]
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "http", "https", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3",
    }.ToDictionary(v => v, S, StringComparer.Ordinal);

    private static FormattedTime? _lastTime;

    private sealed record FormattedTime(long Millisecond, StringValue Text);

    public static ObjectValue Build(Subject subject, RouteConfig route, in RequestFacts request, ObjectValue resourceValue)
    {
        var root = new Dictionary<Value, Value>(10)
        {
            [KVersion] = VersionValue,
            [KType] = subject.Type switch { SubjectTypes.User => UserType, SubjectTypes.Service => ServiceType, SubjectTypes.Anonymous => AnonymousType, _ => S(subject.Type) },
            [KUser] = CachedUser(subject, request.Time),
            [KRequest] = Request(request),
            [KResource] = resourceValue,
            [KDevice] = ObjectValue.Empty,
            [KTls] = UnverifiedTls,
            [KMode] = route.Mode == EnforcementMode.Audit ? AuditMode : EnforceMode,
        };
        if (subject.Type == SubjectTypes.Service)
        {
            root[KService] = ObjectValue.Create([new KeyValuePair<string, Value>("identity", Value.From(subject.Id))]);
        }

        return ObjectValue.Wrap(root);
    }

    /// <summary>The route's resource as a value (built once per configuration).</summary>
    public static ObjectValue Resource(RouteConfig route) => ObjectValue.Create(
    [
        new KeyValuePair<string, Value>("name", Value.From(route.Resource.Name)),
        new KeyValuePair<string, Value>("classification", Value.From(route.Resource.Classification)),
        new KeyValuePair<string, Value>("labels", ObjectValue.Create(route.Resource.Labels.Select(kv => new KeyValuePair<string, Value>(kv.Key, Value.From(kv.Value))))),
        new KeyValuePair<string, Value>("route", Value.From(route.Name)),
    ]);

    /// <summary>The user object only changes with the subject and the (whole-second) ages, so it is reused within a second.</summary>
    private static ObjectValue CachedUser(Subject subject, DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var cached = subject.InputCache;
        if (cached is not null && cached.Second == second)
        {
            return cached.Value;
        }

        var value = User(subject, now);
        subject.InputCache = new Subject.UserInputCache(second, value);
        return value;
    }

    private static ObjectValue User(Subject subject, DateTimeOffset now)
    {
        if (!subject.IsAuthenticated)
        {
            return AnonymousUser;
        }

        var user = new Dictionary<Value, Value>(16)
        {
            [S("authenticated")] = Value.True,
            [S("id")] = Value.From(subject.Id),
            [S("roles")] = Strings(subject.Roles),
            [S("groups")] = Strings(subject.Groups),
            [S("amr")] = Strings(subject.Amr),
            [S("mfa_verified")] = Value.From(subject.MfaVerified),
        };
        if (subject.Roles.Count > 0)
        {
            user[S("role")] = Value.From(subject.Roles[0]);
        }

        if (subject.Name is not null)
        {
            user[S("name")] = Value.From(subject.Name);
        }

        if (subject.Email is not null)
        {
            user[S("email")] = Value.From(subject.Email);
        }

        if (subject.Issuer is not null)
        {
            user[S("issuer")] = Value.From(subject.Issuer);
        }

        if (subject.SessionId is not null)
        {
            user[S("session_id")] = Value.From(subject.SessionId);
        }

        if (subject.AuthTime is { } authTime)
        {
            user[S("auth_time")] = Value.From(authTime.ToUnixTimeSeconds());
            user[S("auth_age_seconds")] = Value.From(Math.Max(0, (long)(now - authTime).TotalSeconds));
        }

        if (subject.MfaTime is { } mfaTime)
        {
            var age = now - mfaTime;
            if (age < TimeSpan.Zero)
            {
                age = TimeSpan.Zero;
            }

            user[S("mfa_time")] = Value.From(mfaTime.ToUnixTimeSeconds());
            user[S("mfa_age_seconds")] = Value.From((long)age.TotalSeconds);
            user[S("mfa_age_hours")] = Value.From(Math.Round(age.TotalHours, 4));
        }

        return ObjectValue.Wrap(user);
    }

    private static ObjectValue Request(in RequestFacts request)
    {
        return ObjectValue.Wrap(new Dictionary<Value, Value>(12)
        {
            [KId] = Value.From(request.Id),
            [KMethod] = Common(request.Method),
            [KPath] = Value.From(request.Path),
            [KHost] = Value.From(request.Host),
            [KQueryString] = request.Query.Length > 1 ? Value.From(request.Query[1..]) : EmptyString,
            [KQuery] = Query(request.Query),
            [KClientIp] = Value.From(request.ClientIp),
            [KScheme] = Common(request.Scheme),
            [KProtocol] = Common(request.Protocol),
            [KWebSocket] = Value.From(request.WebSocket),
            [KTime] = TimeText(request.Time),
            [KTimeNs] = Value.From(request.Time.ToUnixTimeMilliseconds() * 1_000_000),
        });
    }

    private static Value Common(string text) => CommonStrings.TryGetValue(text, out var value) ? value : Value.From(text);

    /// <summary>The request time as RFC 3339 text; requests within the same millisecond share one formatted value.</summary>
    private static StringValue TimeText(DateTimeOffset time)
    {
        var millisecond = time.ToUnixTimeMilliseconds();
        if (Volatile.Read(ref _lastTime) is { } last && last.Millisecond == millisecond && time.Offset == TimeSpan.Zero)
        {
            return last.Text;
        }

        var text = S(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture));
        if (time.Offset == TimeSpan.Zero)
        {
            Volatile.Write(ref _lastTime, new FormattedTime(millisecond, text));
        }

        return text;
    }

    private static ObjectValue Query(string query)
    {
        if (query.Length <= 1)
        {
            return ObjectValue.Empty;
        }

        var parsed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        return ObjectValue.Create(parsed.Select(kv => new KeyValuePair<string, Value>(kv.Key, ArrayValue.Create(kv.Value.Select(v => (Value)Value.From(v ?? ""))))));
    }

    private static ArrayValue Strings(IReadOnlyList<string> values) =>
        values.Count == 0 ? ArrayValue.Empty : ArrayValue.Create(values.Select(v => (Value)Value.From(v)));

    private static StringValue S(string s) => Value.From(s);
}
