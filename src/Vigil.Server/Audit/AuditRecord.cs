namespace Vigil.Server.Audit;

/// <summary>One entry of the decision log (before chaining). Kinds: decision, login, ban, unban, system.</summary>
public sealed record AuditRecord
{
    public required string Kind { get; init; }
    public required DateTimeOffset Time { get; init; }
    public string? RequestId { get; init; }
    public string? Subject { get; init; }
    public string? SubjectType { get; init; }
    public string? Session { get; init; }
    public string? Device { get; init; }
    public string? ClientIp { get; init; }
    public string? Method { get; init; }
    public string? Host { get; init; }
    public string? Path { get; init; }
    public string? Route { get; init; }
    public string? Resource { get; init; }

    /// <summary>allow, deny, would_deny, challenge, reject, success, failure, ban, unban.</summary>
    public required string Decision { get; init; }

    public string? Reason { get; init; }
    public string? Rule { get; init; }
    public double? LatencyMs { get; init; }
}
