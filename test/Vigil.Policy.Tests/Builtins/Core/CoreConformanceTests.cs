using Vigil.Policy.Testing.Conformance;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Builtins.Core;

/// <summary>Runs the OPA conformance folders that exercise the core builtins and checks a floor of passing cases.</summary>
public sealed class CoreConformanceTests(ITestOutputHelper output)
{
    /// <summary>Conformance folders owned by the core builtins, with the number of cases known to pass (a regression fails).</summary>
    private static readonly Dictionary<string, int> Floors = new(StringComparer.Ordinal)
    {
        ["aggregates"] = 72,
        ["arithmetic"] = 27,
        ["array"] = 20,
        ["base64builtins"] = 8,
        ["base64urlbuiltins"] = 6,
        ["bitsand"] = 3,
        ["bitsnegate"] = 2,
        ["bitsor"] = 3,
        ["bitsshiftleft"] = 5,
        ["bitsshiftright"] = 3,
        ["bitsxor"] = 3,
        ["casts"] = 20,
        ["comparisonexpr"] = 16,
        ["globmatch"] = 31,
        ["globquotemeta"] = 1,
        ["globsmatch"] = 6,
        ["graphql"] = 144,
        ["hexbuiltins"] = 3,
        ["intersection"] = 5,
        ["jsonbuiltins"] = 19,
        ["jsonfilter"] = 11,
        ["jsonfilteridempotent"] = 1,
        ["jsonschema"] = 9,
        ["jsonpatch"] = 7,
        ["jsonremove"] = 25,
        ["jsonremoveidempotent"] = 1,
        ["numbersrange"] = 8,
        ["numbersrangestep"] = 8,
        ["objectfilter"] = 18,
        ["objectfilteridempotent"] = 1,
        ["objectfilternonstringkey"] = 1,
        ["objectget"] = 17,
        ["objectkeys"] = 7,
        ["objectremove"] = 19,
        ["objectremoveidempotent"] = 1,
        ["objectremovenonstringkey"] = 1,
        ["objectunion"] = 11,
        ["objectunionn"] = 6,
        ["rand"] = 1,
        ["reachable"] = 19,
        ["regoparsemodule"] = 2,
        ["regexfind"] = 8,
        ["regexfindallstringsubmatch"] = 8,
        ["regexisvalid"] = 3,
        ["regexmatch"] = 6,
        ["regexmatchtemplate"] = 2,
        ["regexreplace"] = 11,
        ["regexsplit"] = 7,
        ["rendertemplate"] = 5,
        ["replacen"] = 7,
        ["semvercompare"] = 5,
        ["semverisvalid"] = 3,
        ["sets"] = 6,
        ["sprintf"] = 2,
        ["stringinterpolation"] = 57,
        ["strings"] = 128,
        ["subset"] = 16,
        ["trim"] = 2,
        ["trimleft"] = 2,
        ["trimprefix"] = 2,
        ["trimright"] = 2,
        ["trimspace"] = 2,
        ["trimsuffix"] = 2,
        ["type"] = 3,
        ["typebuiltin"] = 20,
        ["typenamebuiltin"] = 7,
        ["union"] = 5,
        ["units"] = 134,
        ["urlbuiltins"] = 11,
        ["uuid"] = 9,
        ["walkbuiltin"] = 11,
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

    /// <summary>Newer upstream cases for the core builtins (bignum arithmetic, decimals, strings.split_n): all must pass.</summary>
    [Theory]
    [InlineData("aggregates")]
    [InlineData("arithmetic")]
    [InlineData("comparisonexpr")]
    [InlineData("strings")]
    public void NewerUpstreamCases_Pass(string folder)
    {
        var root = SuiteRoot();
        Assert.NotNull(root);
        var cases = ConformanceSuite.Load(Path.Combine(root, "v1-newer", folder));
        Assert.NotEmpty(cases);
        var outcomes = ConformanceRunner.RunAll(cases);
        foreach (var failure in outcomes.Where(static o => !o.Passed))
        {
            output.WriteLine($"FAIL {failure.Note}: {failure.Failure}");
        }

        Assert.All(outcomes, static o => Assert.True(o.Passed, o.Note + ": " + o.Failure));
    }
}
