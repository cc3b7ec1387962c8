using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Storage;

/// <summary>The store, keys and decision log are readable by Vigil's account only.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Server_CreatesDataFolderStoreAndDecisionLogForItsAccountOnly()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { SeedAlice = false });
        using (var api = h.Api())
        {
            (await api.GetAsync("/public/x")).Dispose();
        }

        await h.FlushLogAsync();
        var data = Path.Combine(h.Directory, "data");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(data, "vigil.db")));
        Assert.Equal(Private, File.GetUnixFileMode(h.LogPath));
        var checkpoint = h.LogPath + ".checkpoint";
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (!File.Exists(checkpoint))
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        Assert.Equal(Private, File.GetUnixFileMode(checkpoint));
    }

    [Fact]
    public async Task ExistingStoreReadableByOthers_IsTightenedAtStart()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-private-").FullName;
        try
        {
            var db = Path.Combine(dir, "vigil.db");
            await File.WriteAllBytesAsync(db, []);
            File.SetUnixFileMode(db, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await using (var context = new VigilDbContext(VigilDbContext.SqliteOptions(dir)))
            {
                await context.EnsureSchemaAsync();
            }

            Assert.Equal(Private, File.GetUnixFileMode(db));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
