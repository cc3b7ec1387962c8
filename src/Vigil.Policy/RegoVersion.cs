namespace Vigil.Policy;

/// <summary>Which Rego language version a module is parsed as.</summary>
public enum RegoVersion
{
    /// <summary>Parse as Rego v1; if that fails, parse as lenient v0 (all future keywords enabled).</summary>
    Auto,

    /// <summary>Rego v0 (lenient: <c>in</c>, <c>some .. in</c>, <c>every</c>, <c>if</c> and <c>contains</c> are always available).</summary>
    V0,

    /// <summary>Rego v1: <c>if</c> before rule bodies and <c>contains</c> for multi-value rules are required.</summary>
    V1,
}
