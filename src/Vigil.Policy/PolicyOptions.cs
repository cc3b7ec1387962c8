using Vigil.Policy.Builtins;

namespace Vigil.Policy;

/// <summary>Which Rego syntax modules are written in.</summary>
public enum RegoVersion
{
    /// <summary>Parse as v1; if that fails, parse as lenient v0 (with all future keywords enabled).</summary>
    Auto,

    /// <summary>Rego v0 syntax.</summary>
    V0,

    /// <summary>Rego v1 syntax (OPA 1.x default).</summary>
    V1,
}

/// <summary>Options for compiling policy.</summary>
public sealed record PolicyOptions
{
    /// <summary>Syntax version of the modules. Default: <see cref="RegoVersion.Auto"/>.</summary>
    public RegoVersion RegoVersion { get; init; } = RegoVersion.Auto;

    /// <summary>The builtins available to policies. Default: <see cref="BuiltinTable.Default"/>.</summary>
    public BuiltinTable Builtins { get; init; } = BuiltinTable.Default;
}
