namespace Vigil.Server.Configuration;

/// <summary>One configuration problem with its place in the file.</summary>
public sealed record ConfigError(string Code, string Path, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{Path} ({Line}:{Column}): {Code}: {Message}" : $"{Path}: {Code}: {Message}";
}
