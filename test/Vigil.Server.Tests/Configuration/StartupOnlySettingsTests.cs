using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

public sealed class StartupOnlySettingsTests
{
    private static readonly string Base = Path.GetTempPath();

    private const string Minimal = "server:\n  listen: [http://127.0.0.1:1]\n";

    private static VigilConfig Parse(string yaml) => ConfigLoader.Parse(yaml, Base);

    [Fact]
    public void Changed_SameFileParsedTwice_NamesNothing()
    {
        // Lists and nested records compare by content, not by reference.
        const string yaml = Minimal + "identity:\n  builtin:\n    clients:\n      - { client_id: app, client_secret: s3cret-s3cret-s3cret-s3cret, redirect_uris: [\"https://app.example/cb\"] }\n";
        Assert.Empty(StartupOnlySettings.Changed(Parse(yaml), Parse(yaml)));
    }

    [Fact]
    public void Changed_ReloadableSettingsOnly_NamesNothing()
    {
        var before = Parse(Minimal + "audit:\n  on_failure: deny\n");
        var after = Parse(Minimal + "audit:\n  on_failure: allow\n" +
            "routes:\n  - { name: app, path: /, upstreams: [http://127.0.0.1:2], resource: { name: app, classification: internal } }\n");
        Assert.Empty(StartupOnlySettings.Changed(before, after));
    }

    [Fact]
    public void Changed_StartupOnlySettings_AreNamedInFileOrder()
    {
        var before = Parse(Minimal + "session:\n  lifetime: 8h\n");
        var after = Parse("server:\n  listen: [http://127.0.0.1:3]\n  inline_io: false\nsession:\n  lifetime: 1h\ntelemetry:\n  metrics:\n    enabled: false\n");
        Assert.Equal(["server.listen", "server.public_url", "server.inline_io", "session", "telemetry.metrics.enabled"], StartupOnlySettings.Changed(before, after));
    }

    [Fact]
    public void Changed_RedisSectionAddedOrRemoved_IsNamed()
    {
        var without = Parse(Minimal);
        var with = Parse(Minimal + "redis:\n  connection_string: 127.0.0.1:6379\n");
        Assert.Equal(["redis"], StartupOnlySettings.Changed(without, with));
        Assert.Equal(["redis"], StartupOnlySettings.Changed(with, without));
    }
}
