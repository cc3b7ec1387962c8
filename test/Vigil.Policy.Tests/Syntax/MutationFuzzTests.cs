using Vigil.Policy.Syntax;
using Vigil.Policy.Syntax.Ast;

namespace Vigil.Policy.Tests.Syntax;

/// <summary>
/// Mutated conformance modules (deletions, insertions, truncations, swaps) must either parse into a well-formed AST or
/// fail with <see cref="PolicyCompileException"/>: never another exception, never a hang.
/// </summary>
public sealed class MutationFuzzTests
{
    private static readonly string[] Insertions =
    [
        "{", "}", "[", "]", "(", ")", "\"", "`", "$\"", "|", ":=", "=", ".", ",", ";", "\n", " if ", " else ", " contains ",
        " in ", " some ", " every ", " not ", " with ", " as ", "_", "-", "0", "1e", "#", "\\", "import ", "package ", "default ",
        "\u00e9", "\ud83d\ude00", "\ud800",
    ];

    [SharedSuiteFact]
    public void ParseModule_MutatedConformanceModules_FailOnlyWithParseErrors()
    {
        var modules = ConformanceModuleParseTests.Modules().Select(m => m.Module).Where(m => m.Length > 0).ToList();
        Assert.NotEmpty(modules);
        var random = new Random(20261126);
        var parsed = 0;
        var rejected = 0;
        for (var i = 0; i < 4000; i++)
        {
            var source = modules[random.Next(modules.Count)];
            var mutated = Mutate(source, random);
            try
            {
                var module = RegoParser.ParseModule("fuzz.rego", mutated, RegoVersion.Auto);
                CheckWellFormed(module);
                parsed++;
            }
            catch (PolicyCompileException e)
            {
                Assert.All(e.Errors, x => Assert.Equal(PolicyErrorCodes.ParseError, x.Code));
                Assert.All(e.Errors, x => Assert.True(x.Location is { Line: > 0, Column: > 0 }, $"error without location: {x}"));
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name}: {e.Message}\n--- input ---\n{mutated}");
            }
        }

        Assert.True(parsed > 100 && rejected > 100, $"parsed {parsed}, rejected {rejected}");
    }

    [SharedSuiteFact]
    public void ParseQuery_MutatedConformanceQueries_FailOnlyWithParseErrors()
    {
        var queries = ConformanceModuleParseTests.Queries().Select(q => q.Query).ToList();
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = Mutate(queries[random.Next(queries.Count)], random);
            try
            {
                var body = RegoParser.ParseQuery(mutated);
                _ = body.ToString();
                _ = AstWalker.Descendants(body).Count();
            }
            catch (PolicyCompileException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name}: {e.Message}\n--- input ---\n{mutated}");
            }
        }
    }

    private static void CheckWellFormed(Module module)
    {
        _ = module.ToString();
        _ = AstJson.ToValue(module);
        _ = RegoV1Checks.Check(module);
        foreach (var node in AstWalker.Descendants(module))
        {
            if (node is Rule rule)
            {
                Assert.False(string.IsNullOrEmpty(rule.Head.Name));
                _ = rule.Kind;
            }
        }
    }

    private static string Mutate(string source, Random random)
    {
        var text = source;
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var pos = random.Next(text.Length + 1);
            switch (random.Next(5))
            {
                case 0 when text.Length > 0:
                    var len = Math.Min(random.Next(1, 6), text.Length - Math.Min(pos, text.Length - 1));
                    text = text.Remove(Math.Min(pos, text.Length - 1), Math.Max(1, len));
                    break;
                case 1:
                    text = text.Insert(pos, Insertions[random.Next(Insertions.Length)]);
                    break;
                case 2:
                    text = text[..pos];
                    break;
                case 3 when text.Length > 2:
                    var a = random.Next(text.Length);
                    var b = random.Next(text.Length);
                    var chars = text.ToCharArray();
                    (chars[a], chars[b]) = (chars[b], chars[a]);
                    text = new string(chars);
                    break;
                default:
                    text = text.Insert(pos, ((char)random.Next(32, 127)).ToString());
                    break;
            }
        }

        return text;
    }
}
