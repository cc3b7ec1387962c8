namespace Vigil.Policy;

/// <summary>One rule of a compiled policy: its full path (<c>data.authz.test_allow</c>), its name, where it is defined, and whether it is a function.</summary>
public sealed record RuleSummary(string Path, string Name, SourceLocation Location, bool IsFunction);
