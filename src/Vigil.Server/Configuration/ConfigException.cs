namespace Vigil.Server.Configuration;

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
