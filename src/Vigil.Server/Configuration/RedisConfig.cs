namespace Vigil.Server.Configuration;

/// <summary>
/// The optional <c>redis</c> section: the bus that carries revocations between nodes at once. The connection string
/// (a StackExchange.Redis configuration string) is resolved at load time from the YAML, an environment variable or a
/// file, and a password from <c>password_env</c>/<c>password_file</c> is merged in.
/// </summary>
public sealed record RedisConfig
{
    /// <summary>The StackExchange.Redis configuration string as given (it may hold a password).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The password from <c>password_env</c>/<c>password_file</c> (kept apart: it may contain commas); null otherwise.</summary>
    public string? Password { get; init; }

    /// <summary>Prefix of the channel names, so several Vigil deployments can share one Redis. Default: <c>vigil</c>.</summary>
    public string ChannelPrefix { get; init; } = DefaultChannelPrefix;

    /// <summary>The default <see cref="ChannelPrefix"/>.</summary>
    public const string DefaultChannelPrefix = "vigil";

    /// <summary>The client options: the connection string with the separate password applied.</summary>
    internal StackExchange.Redis.ConfigurationOptions CreateOptions()
    {
        var options = StackExchange.Redis.ConfigurationOptions.Parse(ConnectionString);
        if (Password is not null)
        {
            options.Password = Password;
        }

        return options;
    }

    /// <summary>Never prints the connection string (it may hold a password).</summary>
    public override string ToString() => $"RedisConfig {{ ChannelPrefix = {ChannelPrefix} }}";
}
