using Microsoft.Extensions.Logging;

namespace Vigil.Server;

/// <summary>Options for hosting Vigil in-process (the CLI and tests).</summary>
public sealed record VigilServerOptions
{
    /// <summary>Clock for sessions, tokens, bans and decisions. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Watch the configuration file and policy folders and reload on change. Default: false.</summary>
    public bool WatchConfiguration { get; init; }

    /// <summary>Minimum log level for the console. Default: Warning.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>How often revocations are reloaded from the store (tests lengthen it to show what the Redis bus does alone). Default: 2 s.</summary>
    internal TimeSpan? RevocationRefreshInterval { get; init; }
}
