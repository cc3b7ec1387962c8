using System.Globalization;
using Vigil.Policy.Values;
using YamlDotNet.RepresentationModel;

namespace Vigil.Policy.Testing.Conformance;

/// <summary>Loads OPA conformance cases from a directory tree of <c>*.yaml</c>/<c>*.yml</c> files.</summary>
public static class ConformanceSuite
{
    /// <summary>Loads every case under <paramref name="directory"/>, ordered by file then position.</summary>
    /// <exception cref="InvalidDataException">A file is not a valid case file.</exception>
    public static IReadOnlyList<ConformanceCase> Load(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*.*", SearchOption.AllDirectories)
            .Where(static f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .OrderBy(static f => f, StringComparer.Ordinal)
            .ToList();
        var cases = new List<ConformanceCase>();
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(directory, file);
            var folder = Path.GetDirectoryName(relative) is { Length: > 0 } d ? d.Replace('\\', '/') : ".";
            cases.AddRange(LoadFile(file, folder));
        }

        return cases;
    }

    /// <summary>Loads the cases of one file.</summary>
    public static IReadOnlyList<ConformanceCase> LoadFile(string file, string folder)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var result = new List<ConformanceCase>();
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return result;
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("cases"), out var casesNode) || casesNode is not YamlSequenceNode cases)
        {
            return result;
        }

        foreach (var node in cases)
        {
            if (node is not YamlMappingNode c)
            {
                continue;
            }

            string? Str(string key) => c.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;
            bool Bool(string key) => string.Equals(Str(key), "true", StringComparison.OrdinalIgnoreCase);
            YamlNode? Node(string key) => c.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

            var modules = new List<string>();
            if (Node("modules") is YamlSequenceNode ms)
            {
                foreach (var m in ms)
                {
                    modules.Add(((YamlScalarNode)m).Value ?? "");
                }
            }

            List<IReadOnlyDictionary<string, Value>>? want = null;
            if (Node("want_result") is YamlSequenceNode rows)
            {
                want = [];
                foreach (var row in rows)
                {
                    var dict = new Dictionary<string, Value>(StringComparer.Ordinal);
                    if (row is YamlMappingNode rm)
                    {
                        foreach (var (k, v) in rm.Children)
                        {
                            dict[((YamlScalarNode)k).Value ?? ""] = ToValue(v);
                        }
                    }

                    want.Add(dict);
                }
            }

            result.Add(new ConformanceCase
            {
                Note = Str("note") ?? "",
                Folder = folder,
                File = file,
                Query = Str("query") ?? "",
                Modules = modules,
                Data = Node("data") is { } data ? ToValue(data) : null,
                Input = Node("input") is { } input ? ToValue(input) : null,
                InputTerm = Str("input_term"),
                WantResult = want,
                WantError = Str("want_error"),
                WantErrorCode = Str("want_error_code"),
                StrictError = Bool("strict_error"),
                SortBindings = Bool("sort_bindings"),
                IgnoreGeneratedVars = Bool("ignore_generated_vars"),
                RegoVersion = Str("rego_version") switch
                {
                    null or "v1" => RegoVersion.V1,
                    "v0" => RegoVersion.V0,
                    var other => throw new InvalidDataException($"{file}: rego_version must be v0 or v1, not '{other}'"),
                },
            });
        }

        return result;
    }

    /// <summary>Converts YAML to a value: plain scalars resolve as JSON (null, booleans, numbers), quoted ones are strings.</summary>
    internal static Value ToValue(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s:
                {
                    var text = s.Value ?? "";
                    if (s.Style is YamlDotNet.Core.ScalarStyle.Plain)
                    {
                        switch (text)
                        {
                            case "" or "~" or "null" or "Null" or "NULL":
                                return NullValue.Instance;
                            case "true" or "True" or "TRUE":
                                return BooleanValue.TrueValue;
                            case "false" or "False" or "FALSE":
                                return BooleanValue.FalseValue;
                        }

                        if (LooksNumeric(text) && NumberValue.Parse(text) is { } n)
                        {
                            return n;
                        }
                    }

                    return StringValue.From(text);
                }

            case YamlSequenceNode seq:
                {
                    var items = new Value[seq.Children.Count];
                    for (var i = 0; i < items.Length; i++)
                    {
                        items[i] = ToValue(seq.Children[i]);
                    }

                    return ArrayValue.Wrap(items);
                }

            case YamlMappingNode map:
                {
                    var dict = new Dictionary<Value, Value>(map.Children.Count);
                    foreach (var (k, v) in map.Children)
                    {
                        dict[StringValue.From(((YamlScalarNode)k).Value ?? "")] = ToValue(v);
                    }

                    return ObjectValue.Wrap(dict);
                }

            default:
                return NullValue.Instance;
        }
    }

    private static bool LooksNumeric(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        var c = text[0];
        if (!(char.IsAsciiDigit(c) || c == '-' || c == '+' || c == '.'))
        {
            return false;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }
}
