using Vigil.Policy.Testing.Conformance;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Semantics;

/// <summary>
/// Vigil's own regression corpus of OPA semantics that Vigil once got wrong (corpus/*.yaml, OPA's case format plus
/// <c>rego_version</c>). Each file's header cites the OPA compiler or evaluator rule its expectations follow.
/// </summary>
public sealed class OpaSemanticsCorpusTests
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Semantics", "corpus");

    private readonly ITestOutputHelper _output;

    public OpaSemanticsCorpusTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(CorpusDirectory, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Run_CorpusFile_EveryCaseGivesOpasResult(string file)
    {
        var cases = ConformanceSuite.LoadFile(Path.Combine(CorpusDirectory, file), "semantics");
        Assert.NotEmpty(cases);

        var failures = ConformanceRunner.RunAll(cases).Where(static o => !o.Passed).ToList();
        foreach (var failure in failures)
        {
            _output.WriteLine($"{failure.Note}: {failure.Failure}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(static f => $"{f.Note}: {f.Failure}")));
    }
}
