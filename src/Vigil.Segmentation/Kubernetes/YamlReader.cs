using Vigil.Segmentation.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>Small helpers over YamlDotNet's representation model that report problems with file and line.</summary>
internal sealed class YamlReader(string file, DiagnosticBag diagnostics)
{
    public string File { get; } = file;

    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public SourceSpan At(YamlNode node) => new(File, checked((int)node.Start.Line), checked((int)node.Start.Column));

    public static bool IsNull(YamlNode? node) =>
        node is null || (node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "null" or "~" or "Null" or "NULL"));

    public YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var kv in map.Children)
        {
            if (kv.Key is YamlScalarNode k && k.Value == key) return kv.Value;
        }
        return null;
    }

    public bool Has(YamlMappingNode map, string key) => Get(map, key) is not null;

    public void CheckKeys(YamlMappingNode map, string what, params string[] allowed)
    {
        foreach (var kv in map.Children)
        {
            if (kv.Key is not YamlScalarNode k || k.Value is null)
            {
                Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what}: keys must be strings", At(kv.Key));
                continue;
            }
            if (!allowed.Contains(k.Value))
                Diagnostics.Error(SegmentationErrorCodes.UnknownField, $"{what}: unknown field '{k.Value}' (allowed: {string.Join(", ", allowed)})", At(kv.Key));
        }
    }

    public YamlMappingNode? Map(YamlNode? node, string what, bool required = false, YamlNode? parent = null)
    {
        if (IsNull(node))
        {
            if (required) Diagnostics.Error(SegmentationErrorCodes.MissingField, $"{what} is required", At(node ?? parent!));
            return null;
        }
        if (node is YamlMappingNode m) return m;
        Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what} must be a mapping", At(node!));
        return null;
    }

    /// <summary>Returns the items of a sequence; null when absent or null; reports a non-sequence.</summary>
    public IReadOnlyList<YamlNode>? Seq(YamlNode? node, string what)
    {
        if (IsNull(node)) return null;
        if (node is YamlSequenceNode s) return [.. s.Children];
        Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what} must be a list", At(node!));
        return null;
    }

    public string? Str(YamlNode? node, string what)
    {
        if (IsNull(node)) return null;
        if (node is YamlScalarNode s) return s.Value;
        Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what} must be a string", At(node!));
        return null;
    }

    public int? Int(YamlNode? node, string what)
    {
        if (IsNull(node)) return null;
        if (node is YamlScalarNode s && int.TryParse(s.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v)) return v;
        Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what} must be an integer", At(node!));
        return null;
    }

    public List<KeyValuePair<string, string>> StringMap(YamlNode? node, string what)
    {
        var result = new List<KeyValuePair<string, string>>();
        var map = Map(node, what);
        if (map is null) return result;
        foreach (var kv in map.Children)
        {
            var k = (kv.Key as YamlScalarNode)?.Value;
            if (k is null)
            {
                Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what}: keys must be strings", At(kv.Key));
                continue;
            }
            if (kv.Value is not YamlScalarNode v)
            {
                Diagnostics.Error(SegmentationErrorCodes.InvalidField, $"{what}.{k} must be a string", At(kv.Value));
                continue;
            }
            result.Add(new(k, v.Value ?? ""));
        }
        return result;
    }
}
