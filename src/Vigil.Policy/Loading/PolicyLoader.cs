using Vigil.Policy.Values;

namespace Vigil.Policy.Loading;

/// <summary>
/// Reads policy files and data files the way <c>opa</c> does: <c>*.rego</c> files are modules; JSON and
/// YAML files named <c>data.json</c>/<c>data.yaml</c>/<c>data.yml</c> are mounted at the path of their folder relative to
/// the directory given (a file given directly is mounted at the root). All problems are collected.
/// </summary>
public static class PolicyLoader
{
    /// <summary>Loads every path (file or directory, recursively).</summary>
    /// <exception cref="PolicyCompileException">A path is missing or a data file is invalid; every problem is listed.</exception>
    public static PolicyBundle Load(IEnumerable<string> paths)
    {
        var modules = new List<PolicyFile>();
        var dataFiles = new List<string>();
        var errors = new List<PolicyError>();
        var data = new Dictionary<Value, Value>();

        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                LoadFile(path, [], direct: true, modules, dataFiles, data, errors);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var relative = Path.GetRelativePath(path, Path.GetDirectoryName(file)!);
                    var mount = relative == "." ? [] : relative.Split(Path.DirectorySeparatorChar);
                    LoadFile(file, mount, direct: false, modules, dataFiles, data, errors);
                }
            }
            else
            {
                errors.Add(new PolicyError("rego_load_error", $"{path}: no such file or directory"));
            }
        }

        if (errors.Count > 0)
        {
            throw new PolicyCompileException(errors);
        }

        return new PolicyBundle(modules, ObjectValue.Wrap(data), dataFiles);
    }

    private static void LoadFile(string file, string[] mount, bool direct, List<PolicyFile> modules, List<string> dataFiles, Dictionary<Value, Value> data, List<PolicyError> errors)
    {
        var name = Path.GetFileName(file);
        if (name.EndsWith(".rego", StringComparison.Ordinal))
        {
            modules.Add(new PolicyFile(file, File.ReadAllText(file)));
            return;
        }

        var isJson = name.EndsWith(".json", StringComparison.Ordinal);
        var isYaml = name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal);
        if (!isJson && !isYaml)
        {
            return;
        }

        // In directories only data.json/data.yaml files are data (input.json and friends are not);
        // a file named directly is always data.
        if (!direct && !Path.GetFileNameWithoutExtension(name).Equals("data", StringComparison.Ordinal))
        {
            return;
        }

        Value document;
        try
        {
            var text = File.ReadAllText(file);
            document = isJson ? Value.FromJson(text) : Value.FromYaml(text);
        }
        catch (ValueParseException ex)
        {
            errors.Add(new PolicyError("rego_load_error", $"{file}: {ex.Message}", new SourceLocation(file, 1, 1)));
            return;
        }

        if (Merge(data, mount, document, file, errors))
        {
            dataFiles.Add(file);
        }
    }

    private static bool Merge(Dictionary<Value, Value> root, string[] mount, Value document, string file, List<PolicyError> errors)
    {
        if (document is not ObjectValue source)
        {
            errors.Add(new PolicyError("rego_load_error", $"{file}: a data file must hold an object", new SourceLocation(file, 1, 1)));
            return false;
        }

        // Wrap the document in objects for its mount path, then deep-merge it into the root.
        Value wrapped = source;
        for (var i = mount.Length - 1; i >= 0; i--)
        {
            wrapped = ObjectValue.Wrap(new Dictionary<Value, Value> { [Value.From(mount[i])] = wrapped });
        }

        return MergeInto(root, (ObjectValue)wrapped, file, errors);
    }

    private static bool MergeInto(Dictionary<Value, Value> target, ObjectValue source, string file, List<PolicyError> errors)
    {
        foreach (var (key, value) in source.Items)
        {
            if (!target.TryGetValue(key, out var existing))
            {
                target[key] = value;
                continue;
            }

            if (existing is ObjectValue a && value is ObjectValue b)
            {
                var copy = new Dictionary<Value, Value>(a.Items);
                if (!MergeInto(copy, b, file, errors))
                {
                    return false;
                }

                target[key] = ObjectValue.Wrap(copy);
                continue;
            }

            errors.Add(new PolicyError("rego_load_error", $"{file}: merge error: key {key} is defined twice"));
            return false;
        }

        return true;
    }
}
