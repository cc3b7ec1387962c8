using Vigil.Policy.Loading;
using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Loading;

public sealed class PolicyLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_DataFilesInSubfolders_AreMountedAtTheirPath()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "teams", "payments"));
        File.WriteAllText(Path.Combine(_dir, "data.json"), """{"top": 1}""");
        File.WriteAllText(Path.Combine(_dir, "teams", "payments", "data.yaml"), "owners:\n  - alice\n");
        File.WriteAllText(Path.Combine(_dir, "input.json"), """{"ignored": true}""");
        File.WriteAllText(Path.Combine(_dir, "p.rego"), "package p\n");

        var bundle = PolicyLoader.Load([_dir]);

        Assert.Single(bundle.Modules);
        Assert.Equal("""{"teams":{"payments":{"owners":["alice"]}},"top":1}""", bundle.Data.ToJson());
        Assert.True(Value.FromJson("""{"top": 1, "teams": {"payments": {"owners": ["alice"]}}}""").Equals(bundle.Data));
    }

    [Fact]
    public void Load_InvalidJsonAndMissingPath_ListsEveryError()
    {
        File.WriteAllText(Path.Combine(_dir, "data.json"), """{"a": [1, 2""");

        var error = Assert.Throws<PolicyCompileException>(() => PolicyLoader.Load([_dir, Path.Combine(_dir, "nope")]));

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Message.Contains("data.json", StringComparison.Ordinal) && e.Message.Contains("invalid JSON", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Message.Contains("no such file", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ConflictingDataFiles_IsAnError()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "x"));
        File.WriteAllText(Path.Combine(_dir, "data.json"), """{"x": 1}""");
        File.WriteAllText(Path.Combine(_dir, "x", "data.json"), """{"y": 2}""");

        Assert.Throws<PolicyCompileException>(() => PolicyLoader.Load([_dir]));
    }
}
