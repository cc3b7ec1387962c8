using System.Globalization;
using Vigil.Policy.Syntax.Ast;
using Vigil.Policy.Values;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vigil.Policy.Syntax.Parsing;

/// <summary>
/// Finds <c># METADATA</c> comment blocks (the METADATA line, then comment lines in column 1 on consecutive lines),
/// parses their YAML and attaches each to the next package/rule, as OPA does with annotation processing on.
/// </summary>
internal static class AnnotationParser
{
    private sealed class Block(SourceLocation location)
    {
        public SourceLocation Location { get; } = location;

        public int EndLine { get; set; } = location.Line;

        public List<string> Lines { get; } = [];
    }

    /// <summary>A statement annotations can attach to: a package, rule, or (for error messages) an import.</summary>
    public readonly record struct Target(Node Node, int Line);

    public static List<Annotation> Attach(string file, string text, IReadOnlyList<Comment> comments, IReadOnlyList<Target> targets, List<PolicyError> errors)
    {
        var annotations = new List<Annotation>();
        if (comments.Count == 0)
        {
            return annotations;
        }

        foreach (var block in FindBlocks(file, text, comments))
        {
            var target = targets.FirstOrDefault(t => t.Line > block.EndLine);
            if (target.Node is null)
            {
                continue;
            }

            var annotation = Parse(block, target.Node, errors);
            if (annotation is not null)
            {
                annotations.Add(annotation);
            }
        }

        return annotations;
    }

    private static List<Block> FindBlocks(string file, string text, IReadOnlyList<Comment> comments)
    {
        var blocks = new List<Block>();
        Block? current = null;
        for (var i = 0; i < comments.Count; i++)
        {
            var c = comments[i];
            var body = text.AsSpan(c.Start + 1, c.End - c.Start - 1).TrimEnd('\r');
            if (current is not null)
            {
                if (c.Line == comments[i - 1].Line + 1 && c.Column == 1)
                {
                    current.Lines.Add((body.StartsWith(" ") ? body[1..] : body).ToString());
                    current.EndLine = c.Line;
                    continue;
                }

                current = null;
            }

            if (body.Trim().StartsWith("METADATA", StringComparison.Ordinal))
            {
                current = new Block(new SourceLocation(file, c.Line, c.Column));
                blocks.Add(current);
            }
        }

        return blocks;
    }

    private static Annotation? Parse(Block block, Node target, List<PolicyError> errors)
    {
        void Fail(string message) => errors.Add(new PolicyError(PolicyErrorCodes.ParseError, message, block.Location));

        var yamlText = string.Join('\n', block.Lines);
        if (string.IsNullOrWhiteSpace(yamlText))
        {
            Fail("expected METADATA block, found whitespace");
            return null;
        }

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yamlText));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
            {
                Fail("yaml: metadata block must be a mapping");
                return null;
            }

            root = map;
        }
        catch (YamlException e)
        {
            Fail($"yaml: line {e.Start.Line}: {e.Message}");
            return null;
        }

        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in root.Children)
        {
            if (k is YamlScalarNode { Value: { } key })
            {
                fields[key] = v;
            }
        }

        var targetKind = target switch
        {
            Package => "package",
            Rule => "rule",
            _ => "import",
        };
        var scope = fields.TryGetValue("scope", out var s) && s is YamlScalarNode { Value: { Length: > 0 } sv } ? sv : "";
        if (scope.Length == 0)
        {
            scope = targetKind == "package" ? "package" : "rule";
        }

        string? attachError = scope switch
        {
            "rule" or "document" when targetKind != "rule" => $"annotation scope '{scope}' must be applied to rule (have {targetKind})",
            "package" or "subpackages" when targetKind != "package" => $"annotation scope '{scope}' must be applied to package (have {targetKind})",
            "rule" or "document" or "package" or "subpackages" => null,
            _ => $"invalid annotation scope '{scope}'. Use one of 'rule', 'document', 'package' or 'subpackages'",
        };
        if (attachError is not null)
        {
            Fail(attachError);
            return null;
        }

        var value = new List<KeyValuePair<string, Value>> { new("scope", Value.From(scope)) };
        try
        {
            AddString(fields, "title", value);
            if (fields.TryGetValue("entrypoint", out var ep) && ToValue(ep) is BooleanValue { Value: true })
            {
                value.Add(new("entrypoint", Value.True));
            }

            AddString(fields, "description", value);
            if (fields.TryGetValue("organizations", out var orgs) && orgs is YamlSequenceNode orgSeq && orgSeq.Children.Count > 0)
            {
                value.Add(new("organizations", ArrayValue.Create(orgSeq.Children.Select(o => (Value)Value.From(ScalarText(o))))));
            }

            if (fields.TryGetValue("related_resources", out var rr) && rr is YamlSequenceNode rrSeq && rrSeq.Children.Count > 0)
            {
                value.Add(new("related_resources", ArrayValue.Create(rrSeq.Children.Select(RelatedResource))));
            }

            if (fields.TryGetValue("authors", out var au) && au is YamlSequenceNode auSeq && auSeq.Children.Count > 0)
            {
                value.Add(new("authors", ArrayValue.Create(auSeq.Children.Select(Author))));
            }

            if (fields.TryGetValue("schemas", out var sc) && sc is YamlSequenceNode scSeq && scSeq.Children.Count > 0)
            {
                value.Add(new("schemas", ArrayValue.Create(scSeq.Children.Select(Schema))));
            }

            if (fields.TryGetValue("custom", out var custom) && ToValue(custom) is ObjectValue { Count: > 0 } customValue)
            {
                value.Add(new("custom", customValue));
            }
        }
        catch (FormatException e)
        {
            Fail(e.Message);
            return null;
        }

        return new Annotation(scope, (ObjectValue)ObjectValue.Create(value), target, block.Location);
    }

    private static void AddString(Dictionary<string, YamlNode> fields, string key, List<KeyValuePair<string, Value>> value)
    {
        if (fields.TryGetValue(key, out var node) && ScalarText(node) is { Length: > 0 } text)
        {
            value.Add(new(key, Value.From(text)));
        }
    }

    private static string ScalarText(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : "";

    private static Value RelatedResource(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } url }:
                return ObjectValue.Create([new KeyValuePair<string, Value>("ref", Value.From(url.Trim()))]);
            case YamlMappingNode map:
            {
                var fields = map.Children.Where(p => p.Key is YamlScalarNode).ToDictionary(p => ((YamlScalarNode)p.Key).Value ?? "", p => ScalarText(p.Value).Trim(), StringComparer.Ordinal);
                var reference = fields.GetValueOrDefault("ref", "");
                if (reference.Length == 0)
                {
                    throw new FormatException($"invalid related-resource definition {Describe(node)}: 'ref' value required in object");
                }

                var result = new List<KeyValuePair<string, Value>> { new("ref", Value.From(reference)) };
                if (fields.GetValueOrDefault("description", "") is { Length: > 0 } d)
                {
                    result.Add(new("description", Value.From(d)));
                }

                return ObjectValue.Create(result);
            }

            default:
                throw new FormatException($"invalid related-resource definition {Describe(node)}: ref URL may not be empty string");
        }
    }

    private static Value Author(YamlNode node)
    {
        string name;
        string email;
        switch (node)
        {
            case YamlScalarNode scalar:
            {
                var parts = (scalar.Value ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 0)
                {
                    throw new FormatException($"invalid author definition {Describe(node)}: author is an empty string");
                }

                var count = parts.Length;
                email = "";
                var last = parts[^1];
                if (last.Length >= 2 && last[0] == '<' && last[^1] == '>')
                {
                    email = last[1..^1];
                    count--;
                }

                name = string.Join(' ', parts.Take(count));
                break;
            }

            case YamlMappingNode map:
                name = map.Children.TryGetValue(new YamlScalarNode("name"), out var n) ? ScalarText(n).Trim() : "";
                email = map.Children.TryGetValue(new YamlScalarNode("email"), out var e) ? ScalarText(e).Trim() : "";
                if (name.Length == 0 && email.Length == 0)
                {
                    throw new FormatException($"invalid author definition {Describe(node)}: 'name' and/or 'email' values required in object");
                }

                break;
            default:
                throw new FormatException($"invalid author definition {Describe(node)}: invalid value type, must be string or map");
        }

        var result = new List<KeyValuePair<string, Value>>();
        if (name.Length > 0)
        {
            result.Add(new("name", Value.From(name)));
        }

        if (email.Length > 0)
        {
            result.Add(new("email", Value.From(email)));
        }

        return ObjectValue.Create(result);
    }

    private static Value Schema(YamlNode node)
    {
        if (node is not YamlMappingNode { Children.Count: 1 } map)
        {
            throw new FormatException("invalid schema declaration");
        }

        var (k, v) = map.Children.First();
        var path = ScalarText(k);
        var result = new List<KeyValuePair<string, Value>> { new("path", RefParts(path)) };
        if (v is YamlScalarNode { Value: { } schemaRef })
        {
            if (!(schemaRef == "schema" || schemaRef.StartsWith("schema.", StringComparison.Ordinal)))
            {
                throw new FormatException("invalid schema reference");
            }

            result.Add(new("schema", RefParts(schemaRef)));
        }
        else
        {
            result.Add(new("definition", ToValue(v)));
        }

        return ObjectValue.Create(result);
    }

    private static ArrayValue RefParts(string path) => ArrayValue.Create(path.Split('.').Select(p => (Value)Value.From(p)));

    private static string Describe(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : node.ToString();

    /// <summary>YAML to value with the core schema's plain-scalar typing (bool, null, int, float, else string).</summary>
    internal static Value ToValue(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
            {
                var text = scalar.Value ?? "";
                if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
                {
                    return Value.From(text);
                }

                switch (text)
                {
                    case "true" or "True" or "TRUE":
                        return Value.True;
                    case "false" or "False" or "FALSE":
                        return Value.False;
                    case "" or "~" or "null" or "Null" or "NULL":
                        return Value.Null;
                }

                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return Value.From(l);
                }

                if ((char.IsAsciiDigit(text[0]) || text[0] is '-' or '+' or '.') && NumberValue.Parse(text.TrimStart('+')) is { } number)
                {
                    return number;
                }

                return Value.From(text);
            }

            case YamlSequenceNode seq:
                return ArrayValue.Create(seq.Children.Select(ToValue));
            case YamlMappingNode map:
                return ObjectValue.Create(map.Children.Select(p => new KeyValuePair<Value, Value>(ToValue(p.Key) is StringValue ks ? ks : Value.From(ScalarText(p.Key)), ToValue(p.Value))));
            default:
                return Value.Null;
        }
    }
}
