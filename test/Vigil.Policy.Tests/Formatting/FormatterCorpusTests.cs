using Vigil.Policy.Formatting;
using Vigil.Policy.Tests.Syntax;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Formatting;

/// <summary>
/// Every Rego module of the repository and of OPA's conformance suite that parses must format, re-parse to an equal
/// AST (the formatter checks that itself and reports a format error otherwise) and be idempotent.
/// </summary>
public sealed class FormatterCorpusTests(ITestOutputHelper output)
{
    private static string RepoRoot() => ConformanceModuleParseTests.RepoRoot();

    [SharedSuiteFact]
    public void Format_EveryConformanceModule_KeepsMeaningAndIsIdempotent()
    {
        var (parsed, formatted, failures) = (0, 0, new List<string>());
        foreach (var (file, note, index, module, _) in ConformanceModuleParseTests.Modules())
        {
            var name = $"{file}#{note}#{index}";
            var first = RegoFormatter.Format(name, module);
            if (first.Errors.Count > 0 && first.Errors[0].Code == PolicyErrorCodes.ParseError)
            {
                continue;
            }

            parsed++;
            Check(name, first, failures, ref formatted);
        }

        output.WriteLine($"conformance modules: {parsed} parsed, {formatted} formatted, re-parsed equal and idempotent");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(parsed > 2000, $"only {parsed} modules");
    }

    [SharedSuiteFact]
    public void Format_EveryRegoFileOfTheRepository_KeepsMeaningAndIsIdempotent()
    {
        var root = RepoRoot();
        var (count, formatted, failures) = (0, 0, new List<string>());
        foreach (var path in Directory.EnumerateFiles(root, "*.rego", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            count++;
            Check(path, RegoFormatter.Format(path, File.ReadAllText(path)), failures, ref formatted);
        }

        output.WriteLine($"repository .rego files: {count}, {formatted} formatted, re-parsed equal and idempotent");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(count >= 4, $"only {count} files");
    }

    private static void Check(string name, RegoFormatResult first, List<string> failures, ref int formatted)
    {
        if (!first.Succeeded)
        {
            failures.Add($"{name}: {first.Errors[0]}");
            return;
        }

        var second = RegoFormatter.Format(name, first.Output!);
        if (!second.Succeeded || second.Output != first.Output)
        {
            failures.Add($"{name}: not idempotent:\n{first.Output}\n---\n{second.Output ?? second.Errors[0].ToString()}");
            return;
        }

        formatted++;
    }
}
