using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

/// <summary>
/// Tests of one configuration section: <see cref="Parse"/> reads a minimal file (version, one loopback listener) with
/// the section from line 3 on, resolved against a temporary folder (<see cref="Dir"/>) the test may put files in.
/// </summary>
public abstract class ConfigSectionTests : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory("vigil-config-").FullName;

    protected VigilConfig Parse(string section) => ConfigLoader.Parse($$"""
        version: 1
        server: { listen: ["http://127.0.0.1:8080"] }
        {{section}}
        """, Dir);

    protected ConfigException Fails(string section) => Assert.Throws<ConfigException>(() => Parse(section));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
