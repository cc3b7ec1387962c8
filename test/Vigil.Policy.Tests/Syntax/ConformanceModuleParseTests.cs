using Vigil.Policy.Syntax;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Vigil.Policy.Tests.Syntax;

/// <summary>Every module of OPA's v1 conformance suite must parse as Rego v1 (the suite has no case expecting a parse error of a module).</summary>
public sealed class ConformanceModuleParseTests(ITestOutputHelper output)
{
    /// <summary>The repository's root (the folder with Vigil.slnx).</summary>
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    internal static string ConformanceRoot()
    {
        var root = Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "conformance", "opa", "v1"));
        Assert.True(Directory.Exists(root), $"conformance suite not found at {root}");
        return root;
    }

    /// <summary>Every case of the suite, in file order, with its file path relative to the suite root.</summary>
    private static IEnumerable<(string File, YamlMappingNode Case)> Cases()
    {
        var suite = ConformanceRoot();
        foreach (var path in Directory.EnumerateFiles(suite, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                yaml.Load(reader);
            }

            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (YamlMappingNode c in (YamlSequenceNode)root.Children[new YamlScalarNode("cases")])
            {
                yield return (Path.GetRelativePath(suite, path), c);
            }
        }
    }

    private static string Note(YamlMappingNode c) =>
        c.Children.TryGetValue(new YamlScalarNode("note"), out var n) ? ((YamlScalarNode)n).Value ?? "" : "";

    internal static IEnumerable<(string File, string Note, int Index, string Module, bool ExpectsParseError)> Modules()
    {
        foreach (var (file, c) in Cases())
        {
            var expectsParseError = c.Children.TryGetValue(new YamlScalarNode("want_error_code"), out var code)
                && ((YamlScalarNode)code).Value == PolicyErrorCodes.ParseError;
            if (!c.Children.TryGetValue(new YamlScalarNode("modules"), out var mods))
            {
                continue;
            }

            var i = 0;
            foreach (var m in ((YamlSequenceNode)mods).Children)
            {
                yield return (file, Note(c), i++, ((YamlScalarNode)m).Value ?? "", expectsParseError);
            }
        }
    }

    internal static IEnumerable<(string File, string Note, string Query)> Queries()
    {
        foreach (var (file, c) in Cases())
        {
            if (c.Children.TryGetValue(new YamlScalarNode("query"), out var q) && ((YamlScalarNode)q).Value is { } query)
            {
                yield return (file, Note(c), query);
            }
        }
    }

    [SharedSuiteFact]
    public void ParseQuery_EveryConformanceQuery_Parses()
    {
        var total = 0;
        var failures = new List<string>();
        foreach (var (file, note, query) in Queries())
        {
            total++;
            try
            {
                RegoParser.ParseQuery(query);
            }
            catch (PolicyCompileException e)
            {
                failures.Add($"{file} {note}: {query}: {e.Message}");
            }
        }

        output.WriteLine($"{total - failures.Count}/{total} conformance queries parsed");
        foreach (var f in failures.Take(50))
        {
            output.WriteLine(f);
        }

        Assert.True(total > 1000, $"only {total} queries found");
        Assert.Empty(failures);
    }

    [SharedSuiteFact]
    public void ParseModule_EveryConformanceModule_ParsesAsV1()
    {
        var total = 0;
        var failures = new List<string>();
        foreach (var (file, note, index, module, expectsParseError) in Modules())
        {
            total++;
            try
            {
                RegoParser.ParseModule($"{note}.{index}.rego", module, RegoVersion.V1);
                if (expectsParseError)
                {
                    failures.Add($"{file} {note}: expected a parse error");
                }
            }
            catch (PolicyCompileException e) when (!expectsParseError)
            {
                failures.Add($"{file} {note} module {index}: {e.Message}");
            }
            catch (PolicyCompileException)
            {
            }
        }

        output.WriteLine($"{total - failures.Count}/{total} conformance modules parsed as expected");
        foreach (var f in failures.Take(50))
        {
            output.WriteLine(f);
        }

        Assert.True(total > 1000, $"only {total} modules found");
        Assert.Empty(failures);
    }
}
