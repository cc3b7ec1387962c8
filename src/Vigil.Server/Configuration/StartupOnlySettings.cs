using System.Text.Json;

namespace Vigil.Server.Configuration;

/// <summary>
/// The settings a running process reads once, at start-up (listeners, identity, store, ...). A reload cannot apply
/// them, so it names those that differ from the process's start-up configuration instead of silently ignoring them:
/// an operator who edits <c>identity</c> and sees "reloaded" would otherwise believe the change is live.
/// </summary>
internal static class StartupOnlySettings
{
    private static readonly (string Key, Func<VigilConfig, object?> Read)[] Settings =
    [
        ("server.listen", c => c.Server.Listen),
        ("server.public_url", c => c.Server.PublicUrl),
        ("server.tls", c => c.Server.Tls),
        ("server.inline_io", c => c.Server.InlineIo),
        ("server.data_dir", c => c.Server.DataDir),
        ("identity", c => c.Identity),
        ("session", c => c.Session),
        ("storage", c => c.Storage),
        ("redis", c => c.Redis),
        ("audit.path", c => c.Audit.Path),
        ("audit.max_file_size", c => c.Audit.MaxFileSize),
        ("audit.durability", c => c.Audit.Durability),
        ("telemetry.metrics.enabled", c => c.Telemetry.Metrics.Enabled),
    ];

    /// <summary>The keys, in file order, whose values in <paramref name="reloaded"/> differ from <paramref name="startup"/>.</summary>
    public static IReadOnlyList<string> Changed(VigilConfig startup, VigilConfig reloaded) =>
        [.. Settings.Where(setting => !Same(setting.Read(startup), setting.Read(reloaded))).Select(setting => setting.Key)];

    /// <summary>Compares by content (the sections are records holding lists, which compare by reference).</summary>
    private static bool Same(object? a, object? b) =>
        a is null || b is null ? a is null && b is null
        : a.GetType() == b.GetType() && JsonSerializer.Serialize(a, a.GetType()) == JsonSerializer.Serialize(b, b.GetType());
}
