using System.Globalization;
using System.Security.Claims;

namespace Vigil.Server.Sessions;

/// <summary>Who is calling: a user with a session, a user or service with a bearer token, or nobody.</summary>
internal sealed record Subject
{
    public static readonly Subject Anonymous = new() { Id = "", Type = SubjectTypes.Anonymous };

    public required string Id { get; init; }
    public required string Type { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = [];
    public IReadOnlyList<string> Groups { get; init; } = [];
    public IReadOnlyList<string> Amr { get; init; } = [];
    public DateTimeOffset? AuthTime { get; init; }
    public DateTimeOffset? MfaTime { get; init; }
    public string? SessionId { get; init; }
    public string? Issuer { get; init; }
    public string? ClientId { get; init; }

    public bool IsAuthenticated => Type != SubjectTypes.Anonymous;

    /// <summary>The decision input's <c>user</c> object for one whole second (see <c>DecisionInput</c>).</summary>
    internal UserInputCache? InputCache
    {
        get => Volatile.Read(ref _inputCache);
        set => Volatile.Write(ref _inputCache, value);
    }

    private UserInputCache? _inputCache;

    internal sealed record UserInputCache(long Second, Vigil.Policy.Values.ObjectValue Value);

    public bool MfaVerified => MfaTime is not null;

    /// <summary>The identity header values sent upstream, sanitized once per subject.</summary>
    internal IdentityHeaderValues Headers => _headers ??= new IdentityHeaderValues(
        Gateway.IdentityHeaders.Sanitize(Id),
        Email is null ? null : Gateway.IdentityHeaders.Sanitize(Email),
        Name is null ? null : Gateway.IdentityHeaders.Sanitize(Name),
        Gateway.IdentityHeaders.Sanitize(string.Join(',', Roles)),
        Gateway.IdentityHeaders.Sanitize(string.Join(',', Groups)));

    private IdentityHeaderValues? _headers;

    internal sealed record IdentityHeaderValues(string User, string? Email, string? Name, string Roles, string Groups);

    /// <summary>Builds a subject from claims (session cookie or validated token); claim names are the JWT ones.</summary>
    public static Subject FromClaims(IEnumerable<Claim> claims, string? sessionId)
    {
        string? sub = null, name = null, email = null, iss = null, clientId = null, subjectType = null;
        long? authTime = null, mfaTime = null;
        var roles = new List<string>();
        var groups = new List<string>();
        var amr = new List<string>();
        foreach (var claim in claims)
        {
            switch (claim.Type)
            {
                case "sub": sub = claim.Value; break;
                case "name": name = claim.Value; break;
                case "email": email = claim.Value; break;
                case "iss": iss = claim.Value; break;
                case "client_id" or "azp": clientId ??= claim.Value; break;
                case "role" or "roles": AddValues(roles, claim.Value); break;
                case "groups" or "group": AddValues(groups, claim.Value); break;
                case "amr": AddValues(amr, claim.Value); break;
                case "vigil_subject_type": subjectType = claim.Value; break;
                case "auth_time" when long.TryParse(claim.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t): authTime = t; break;
                case "vigil_mfa_time" when long.TryParse(claim.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var m): mfaTime = m; break;
            }
        }

        if (string.IsNullOrEmpty(sub))
        {
            return Anonymous;
        }

        var type = subjectType == SubjectTypes.Service || (clientId is not null && clientId == sub) ? SubjectTypes.Service : SubjectTypes.User;
        if (mfaTime is null && authTime is not null && amr.Any(IsMfaMethod))
        {
            mfaTime = authTime;
        }

        return new Subject
        {
            Id = sub,
            Type = type,
            Name = name,
            Email = email,
            Roles = roles,
            Groups = groups,
            Amr = amr,
            AuthTime = authTime is null ? null : DateTimeOffset.FromUnixTimeSeconds(authTime.Value),
            MfaTime = mfaTime is null ? null : DateTimeOffset.FromUnixTimeSeconds(mfaTime.Value),
            SessionId = sessionId,
            Issuer = iss,
            ClientId = clientId,
        };
    }

    public static bool IsMfaMethod(string amr) => amr is "otp" or "mfa" or "hwk" or "swk" or "fido" or "totp";

    private static void AddValues(List<string> list, string value)
    {
        // Some providers put arrays in one claim as JSON.
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            try
            {
                var items = System.Text.Json.JsonSerializer.Deserialize<string[]>(value);
                if (items is not null)
                {
                    list.AddRange(items.Where(i => !string.IsNullOrEmpty(i)));
                    return;
                }
            }
            catch (System.Text.Json.JsonException)
            {
            }
        }

        if (value.Length > 0 && !list.Contains(value))
        {
            list.Add(value);
        }
    }
}

/// <summary>Values of <c>input.type</c>.</summary>
internal static class SubjectTypes
{
    public const string User = "user";
    public const string Service = "service";
    public const string Anonymous = "anonymous";
}
