using Vigil.Policy.Testing.Conformance;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Builtins.Core;

/// <summary>Runs the OPA conformance folders that exercise the core builtins and checks a floor of passing cases.</summary>
public sealed class CoreConformanceTests(ITestOutputHelper output)
{
    /// <summary>Conformance folders owned by the core builtins, with the number of cases known to pass (a regression fails).</summary>
    private static readonly Dictionary<string, int> Floors = new(StringComparer.Ordinal)
    {
        ["aggregates"] = 0,
        ["arithmetic"] = 0,
        ["array"] = 0,
        ["base64builtins"] = 0,
        ["base64urlbuiltins"] = 0,
        ["bitsand"] = 0,
        ["bitsnegate"] = 0,
        ["bitsor"] = 0,
        ["bitsshiftleft"] = 0,
        ["bitsshiftright"] = 0,
        ["bitsxor"] = 0,
        ["casts"] = 0,
        ["comparisonexpr"] = 0,
        ["globmatch"] = 0,
        ["globquotemeta"] = 0,
        ["globsmatch"] = 0,
        ["hexbuiltins"] = 0,
        ["intersection"] = 0,
        ["jsonbuiltins"] = 0,
        ["jsonfilter"] = 0,
        ["jsonfilteridempotent"] = 0,
        ["jsonpatch"] = 0,
        ["jsonremove"] = 0,
        ["jsonremoveidempotent"] = 0,
        ["numbersrange"] = 0,
        ["numbersrangestep"] = 0,
        ["objectfilter"] = 0,
        ["objectfilteridempotent"] = 0,
        ["objectfilternonstringkey"] = 0,
        ["objectget"] = 0,
        ["objectkeys"] = 0,
        ["objectremove"] = 0,
        ["objectremoveidempotent"] = 0,
        ["objectremovenonstringkey"] = 0,
        ["objectunion"] = 0,
        ["objectunionn"] = 0,
        ["rand"] = 0,
        ["reachable"] = 0,
        ["regexfind"] = 0,
        ["regexfindallstringsubmatch"] = 0,
        ["regexisvalid"] = 0,
        ["regexmatch"] = 0,
        ["regexmatchtemplate"] = 0,
        ["regexreplace"] = 0,
        ["regexsplit"] = 0,
        ["rendertemplate"] = 0,
        ["replacen"] = 0,
        ["semvercompare"] = 0,
        ["semverisvalid"] = 0,
        ["sets"] = 0,
        ["sprintf"] = 0,
        ["stringinterpolation"] = 0,
        ["strings"] = 0,
        ["subset"] = 0,
        ["trim"] = 0,
        ["trimleft"] = 0,
        ["trimprefix"] = 0,
        ["trimright"] = 0,
        ["trimspace"] = 0,
        ["trimsuffix"] = 0,
        ["type"] = 0,
        ["typebuiltin"] = 0,
        ["typenamebuiltin"] = 0,
        ["union"] = 0,
        ["units"] = 0,
        ["urlbuiltins"] = 0,
        ["uuid"] = 0,
        ["walkbuiltin"] = 0,
    };

    private static string? SuiteRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "conformance", "opa");
            if (Directory.Exists(Path.Combine(candidate, "v1")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return Directory.Exists("/work/shared/conformance/opa/v1") ? "/work/shared/conformance/opa" : null;
    }

    [Fact]
    public void CoreBuiltinFolders_PassAtLeastTheKnownCases()
    {
        var root = SuiteRoot();
        Assert.NotNull(root);
        var cases = ConformanceSuite.Load(Path.Combine(root, "v1")).Where(static c => Floors.ContainsKey(c.Folder)).ToList();

        var outcomes = ConformanceRunner.RunAll(cases);
        output.WriteLine(ConformanceRunner.FormatTable(outcomes));
        foreach (var failure in outcomes.Where(static o => !o.Passed))
        {
            output.WriteLine($"FAIL {failure.Note}: {failure.Failure}");
        }

        var regressions = ConformanceRunner.Summarize(outcomes)
            .Where(s => s.Passed < Floors[s.Folder])
            .Select(s => $"{s.Folder}: {s.Passed} passed, floor {Floors[s.Folder]}")
            .ToList();
        Assert.Empty(regressions);
    }
}
