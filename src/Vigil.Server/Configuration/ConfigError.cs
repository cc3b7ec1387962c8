namespace Vigil.Server.Configuration;

/// <summary>One configuration problem with its place in the file.</summary>
public sealed record ConfigError(string Code, string Path, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{Path} ({Line}:{Column}): {Code}: {Message}" : $"{Path}: {Code}: {Message}";
}

/// <summary>Stable configuration error codes.</summary>
public static class ConfigErrorCodes
{
    public const string Syntax = "config_syntax";
    public const string Missing = "config_missing";
    public const string UnknownKey = "config_unknown_key";
    public const string Invalid = "config_invalid";
    public const string Duplicate = "config_duplicate";
    public const string Insecure = "config_insecure";
    public const string Policy = "config_policy";
}

/// <summary>Thrown when a configuration is invalid; lists every error.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(Format(errors)) => Errors = errors;

    public ConfigException()
        : this([])
    {
    }

    public ConfigException(string message)
        : base(message) => Errors = [new ConfigError(ConfigErrorCodes.Invalid, "", 0, 0, message)];

    public ConfigException(string message, Exception inner)
        : base(message, inner) => Errors = [new ConfigError(ConfigErrorCodes.Invalid, "", 0, 0, message)];

    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Format(IReadOnlyList<ConfigError> errors) =>
        $"invalid configuration ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):" + string.Concat(errors.Select(e => "\n  " + e));
}
