namespace Vigil.Policy.Formatting;

/// <summary>Options of <see cref="RegoFormatter"/>.</summary>
public sealed record RegoFormatOptions
{
    /// <summary>
    /// Parse the module as Rego v0 and keep v0 syntax: <c>if</c> and <c>contains</c> only where the author wrote them,
    /// every import kept. Default false: modules are parsed like <c>vigil policy check</c> does (v1, falling back to
    /// v0); a v1 module is printed in v1 syntax (<c>future.keywords</c> imports dropped when <c>import rego.v1</c>
    /// covers them, as <c>opa fmt</c> does), and a module that only parses as v0 keeps its v0 syntax as with this option.
    /// </summary>
    public bool V0Compatible { get; init; }
}
