using Vigil.Policy.Formatting;
using Vigil.Policy.Tests.Syntax;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Formatting;

/// <summary>
/// Hostile input: conformance modules with random edits (deleted, duplicated or swapped characters, inserted newlines,
/// brackets and comment markers). The formatter must never throw; whatever parses must format to text that is
/// equivalent (checked by the formatter itself) and idempotent, or be refused with a format error.
/// </summary>
public sealed class FormatterMutationFuzzTests(ITestOutputHelper output)
{
    private const string Inserts = "\n\n#[]{}(),;:=|&\"`_ \t";

    [SharedSuiteFact]
    public void Format_MutatedModules_NeverThrowAndStayIdempotent()
    {
        var random = new Random(20261126);
        var modules = ConformanceModuleParseTests.Modules().Select(m => m.Module).Where(m => m.Length > 0).ToList();
        var (parsed, refused, failures) = (0, 0, new List<string>());
        for (var n = 0; n < 6000; n++)
        {
            var text = Mutate(modules[random.Next(modules.Count)], random);
            RegoFormatResult first;
            try
            {
                first = RegoFormatter.Format("fuzz.rego", text);
            }
            catch (Exception ex)
            {
                failures.Add($"threw {ex.GetType().Name}: {ex.Message}\n{text}");
                continue;
            }

            if (!first.Succeeded)
            {
                refused += first.Errors[0].Code == PolicyErrorCodes.FormatError ? 1 : 0;
                continue;
            }

            parsed++;
            var second = RegoFormatter.Format("fuzz.rego", first.Output!);
            if (second.Output != first.Output)
            {
                failures.Add($"not idempotent\n{text}\n--- first\n{first.Output}\n--- second\n{second.Output ?? second.Errors[0].ToString()}");
            }
        }

        output.WriteLine($"{parsed} mutated modules parsed and formatted idempotently; {refused} refused as format errors; {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n=====\n", failures.Take(3)));
        Assert.True(parsed > 1000, $"only {parsed} mutated modules parsed");
    }

    private static string Mutate(string text, Random random)
    {
        var chars = text.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && chars.Count > 1; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, chars[at]);
                    break;
                case 2:
                    chars.Insert(at, Inserts[random.Next(Inserts.Length)]);
                    break;
                default:
                    var other = random.Next(chars.Count);
                    (chars[at], chars[other]) = (chars[other], chars[at]);
                    break;
            }
        }

        return new string([.. chars]);
    }
}
