using System.Globalization;
using System.Net;
using Vigil.Policy.Values;
using Vigil.Server.Configuration;
using Vigil.Server.Sessions;

namespace Vigil.Server.Decisions;

/// <summary>Request facts the gateway hands to the decision input.</summary>
internal sealed record RequestFacts(
    string Id,
    string Method,
    string Path,
    string Host,
    string Query,
    IPAddress ClientIp,
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

    public static ObjectValue Build(Subject subject, RouteConfig route, RequestFacts request, ObjectValue resourceValue)
    {
        var root = new Dictionary<Value, Value>(10)
        {
            [KVersion] = Value.From(Version),
            [KType] = Value.From(subject.Type),
            [KUser] = CachedUser(subject, request.Time),
            [KRequest] = Request(request),
            [KResource] = resourceValue,
            [KDevice] = ObjectValue.Empty,
            [KTls] = ObjectValue.Create([new KeyValuePair<string, Value>("verified", Value.False)]),
            [KMode] = Value.From(route.Mode == EnforcementMode.Audit ? "audit" : "enforce"),
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
            return ObjectValue.Create(
            [
                new KeyValuePair<string, Value>("authenticated", Value.False),
                new KeyValuePair<string, Value>("mfa_verified", Value.False),
                new KeyValuePair<string, Value>("roles", ArrayValue.Empty),
                new KeyValuePair<string, Value>("groups", ArrayValue.Empty),
            ]);
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

    private static ObjectValue Request(RequestFacts request)
    {
        return ObjectValue.Wrap(new Dictionary<Value, Value>(12)
        {
            [S("id")] = Value.From(request.Id),
            [S("method")] = Value.From(request.Method),
            [S("path")] = Value.From(request.Path),
            [S("host")] = Value.From(request.Host),
            [S("query_string")] = Value.From(request.Query.Length > 0 ? request.Query[1..] : ""),
            [S("query")] = Query(request.Query),
            [S("client_ip")] = Value.From(request.ClientIp.ToString()),
            [S("scheme")] = Value.From(request.Scheme),
            [S("protocol")] = Value.From(request.Protocol),
            [S("websocket")] = Value.From(request.WebSocket),
            [S("time")] = Value.From(request.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture)),
            [S("time_ns")] = Value.From(request.Time.ToUnixTimeMilliseconds() * 1_000_000),
        });
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
