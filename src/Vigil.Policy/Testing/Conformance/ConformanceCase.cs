using Vigil.Policy.Values;

namespace Vigil.Policy.Testing.Conformance;

/// <summary>One OPA conformance case (schema of OPA's <c>test/cases</c> YAML files).</summary>
public sealed class ConformanceCase
{
    /// <summary>Unique name, <c>feature/description</c>.</summary>
    public required string Note { get; init; }

    /// <summary>The feature folder the case was loaded from.</summary>
    public required string Folder { get; init; }

    /// <summary>The YAML file the case came from.</summary>
    public required string File { get; init; }

    public required string Query { get; init; }

    public IReadOnlyList<string> Modules { get; init; } = [];

    public Value? Data { get; init; }

    public Value? Input { get; init; }

    /// <summary>Rego term text used as input (takes priority over <see cref="Input"/>).</summary>
    public string? InputTerm { get; init; }

    /// <summary>Expected rows (variable name to value), compared as a set; empty means undefined. Null when not checked.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, Value>>? WantResult { get; init; }

    public string? WantError { get; init; }

    public string? WantErrorCode { get; init; }

    public bool StrictError { get; init; }

    public bool SortBindings { get; init; }

    public bool IgnoreGeneratedVars { get; init; }

    /// <summary>
    /// The Rego version the modules are parsed with: OPA's suite is v1; Vigil's own corpora also hold v0 cases
    /// (<c>rego_version: v0</c>, an addition to OPA's case format).
    /// </summary>
    public RegoVersion RegoVersion { get; init; } = RegoVersion.V1;

    public override string ToString() => Note;
}
