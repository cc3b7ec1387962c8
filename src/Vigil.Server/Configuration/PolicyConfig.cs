namespace Vigil.Server.Configuration;

/// <summary>Where the Rego policies (and their <c>data.json</c>) are.</summary>
public sealed record PolicyConfig
{
    public IReadOnlyList<string> Directories { get; init; } = [];

    /// <summary>Query used by routes that name none.</summary>
    public string DefaultQuery { get; init; } = "data.vigil.gateway.decision";

    /// <summary>Deadline of one evaluation; exceeding it denies.</summary>
    public TimeSpan EvaluationTimeout { get; init; } = TimeSpan.FromMilliseconds(250);
}
