using System.Text;
using Vigil.Policy.Formatting;
using Vigil.Policy.Tests.Syntax;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Formatting;

/// <summary>
/// Comments in every position: each conformance module is rewritten with a trailing comment on every line and an
/// own-line comment between every two lines; whatever still parses must format (keeping every comment, in order),
/// re-parse to the same AST and be idempotent.
/// </summary>
public sealed class FormatterCommentFuzzTests(ITestOutputHelper output)
{
    [SharedSuiteTheory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Format_ConformanceModulesWithInjectedComments_KeepsEveryCommentAndIsIdempotent(bool trailing, bool ownLine)
    {
        var (parsed, failures) = (0, new List<string>());
        foreach (var (file, note, index, module, _) in ConformanceModuleParseTests.Modules())
        {
            var text = Inject(module, trailing, ownLine);
            var name = $"{file}#{note}#{index}";
            var first = RegoFormatter.Format(name, text);
            if (first.Errors.Count > 0 && first.Errors[0].Code == PolicyErrorCodes.ParseError)
            {
                continue;
            }

            parsed++;
            if (!first.Succeeded)
            {
                failures.Add($"{name}: {first.Errors[0].Message}\n{text}\n--- printed\n{RegoFormatter.PrintUnchecked(text)}");
                continue;
            }

            var second = RegoFormatter.Format(name, first.Output!);
            if (second.Output != first.Output)
            {
                failures.Add($"{name}: not idempotent\n{text}\n--- first\n{first.Output}\n--- second\n{second.Output ?? second.Errors[0].ToString()}");
            }
        }

        output.WriteLine($"{parsed} modules with injected comments parsed; {failures.Count} failed");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n" + string.Join("\n=====\n", failures.Take(5)));
        Assert.True(parsed > 1000, $"only {parsed} modules parsed");
    }

    private static string Inject(string module, bool trailing, bool ownLine)
    {
        var b = new StringBuilder();
        var n = 0;
        foreach (var line in module.Split('\n'))
        {
            if (ownLine && n > 0)
            {
                b.Append("# own ").Append(n).Append('\n');
            }

            b.Append(line);
            if (trailing && line.Trim().Length > 0)
            {
                b.Append(" # trail ").Append(n);
            }

            b.Append('\n');
            n++;
        }

        return b.ToString();
    }
}
