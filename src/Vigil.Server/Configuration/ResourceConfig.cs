namespace Vigil.Server.Configuration;

/// <summary>The resource a route protects.</summary>
public sealed record ResourceConfig
{
    public required string Name { get; init; }
    public string Classification { get; init; } = "internal";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
