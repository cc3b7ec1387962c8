using Vigil.Policy.Builtins;

namespace Vigil.Policy;

/// <summary>Options for compiling policy.</summary>
public sealed record PolicyOptions
{
    /// <summary>Syntax version of the modules. Default: <see cref="RegoVersion.Auto"/>.</summary>
    public RegoVersion RegoVersion { get; init; } = RegoVersion.Auto;

    /// <summary>The builtins available to policies. Default: <see cref="BuiltinTable.Default"/>.</summary>
    public BuiltinTable Builtins { get; init; } = BuiltinTable.Default;
}
