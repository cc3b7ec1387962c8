using Vigil.Policy.Testing.Conformance;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Conformance;

/// <summary>
/// Runs OPA's v1 conformance cases (../shared/conformance/opa/v1) and fails if a case listed in
/// passing.txt regresses. Set VIGIL_UPDATE_CONFORMANCE=1 to rewrite passing.txt from the current run.
/// </summary>
public sealed class OpaConformanceTests
{
    private readonly ITestOutputHelper _output;

    public OpaConformanceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [SharedSuiteFact]
    public void Run_AllV1Cases_NoListedCaseRegresses()
    {
        var root = RepositoryRoot();
        var suiteDirectory = Path.GetFullPath(Path.Combine(root, "..", "shared", "conformance", "opa", "v1"));
        Assert.True(Directory.Exists(suiteDirectory), $"conformance suite not found at {suiteDirectory}");
        var cases = ConformanceSuite.Load(suiteDirectory);
        Assert.True(cases.Count > 2000, $"expected the full v1 suite, loaded {cases.Count} cases");

        var outcomes = ConformanceRunner.RunAll(cases, maxParallelism: 2);
        _output.WriteLine(ConformanceRunner.FormatTable(outcomes));

        // A note passes only if every case carrying it passes (a few notes repeat across files).
        var passingNotes = outcomes.GroupBy(static o => o.Note, StringComparer.Ordinal)
            .Where(static g => g.All(static o => o.Passed))
            .Select(static g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

        var listFile = Path.Combine(root, "test", "Vigil.Policy.Tests", "Conformance", "passing.txt");
        if (Environment.GetEnvironmentVariable("VIGIL_UPDATE_CONFORMANCE") == "1")
        {
            var lines = passingNotes.Order(StringComparer.Ordinal).ToList();
            File.WriteAllText(listFile, string.Join('\n', lines) + "\n");
            _output.WriteLine($"rewrote {listFile} with {lines.Count} notes");
            return;
        }

        Assert.True(File.Exists(listFile), $"missing {listFile}; run with VIGIL_UPDATE_CONFORMANCE=1 to create it");
        var expected = File.ReadAllLines(listFile).Where(static l => l.Length > 0).ToList();
        var regressions = expected.Where(note => !passingNotes.Contains(note)).ToList();
        foreach (var note in regressions)
        {
            var failure = outcomes.FirstOrDefault(o => o.Note == note && !o.Passed);
            _output.WriteLine($"REGRESSION {note}: {failure?.Failure ?? "case not found"}");
        }

        Assert.True(regressions.Count == 0, $"{regressions.Count} conformance case(s) that passed before now fail: {string.Join(", ", regressions.Take(10))}");
        Assert.True(expected.Count > 1500, $"passing.txt lists only {expected.Count} notes");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Vigil.slnx) not found");
    }
}
