using System.Text;
using System.Text.RegularExpressions;
using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using YamlDotNet.RepresentationModel;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>
/// Runs the OPA conformance cases of the security folders whose module is a single builtin call with literal
/// (or input) operands, calling the builtin directly: the YAML expectations are the oracle, without the evaluator.
/// </summary>
public sealed partial class ConformanceCallTests
{
    private static readonly string[] Folders =
    [
        "cryptohmacequal", "cryptohmacmd5", "cryptohmacsha1", "cryptohmacsha256", "cryptohmacsha512", "cryptomd5", "cryptosha1", "cryptosha256",
        "cryptoparsersaprivatekeys", "cryptox509parsersaprivatekey", "cryptox509parsecertificates", "cryptox509parsecertificaterequest",
        "cryptox509parsekeypair", "cryptox509parseandverifycertificates",
        "jwtbuiltins", "jwtdecodeverify", "jwtencodesign", "jwtencodesignheadererrors", "jwtencodesignpayloaderrors", "jwtencodesignraw",
        "jwtverifyeddsa", "jwtverifyhs256", "jwtverifyhs384", "jwtverifyhs512", "jwtverifyrsa",
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in Folders)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(ConformanceRoot(), folder)).Order(StringComparer.Ordinal))
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(File.ReadAllText(file)));
                var cases = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["cases"];
                for (var i = 0; i < cases.Children.Count; i++)
                {
                    if (Prepare((YamlMappingNode)cases.Children[i]) is null)
                    {
                        continue;
                    }

                    data.Add(Path.GetRelativePath(ConformanceRoot(), file), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return data;
    }

    internal static string ConformanceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "conformance", "opa", "v1"), Path.Combine(dir.FullName, "..", "shared", "conformance", "opa", "v1") })
            {
                if (Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        throw new DirectoryNotFoundException("OPA conformance cases (shared/conformance/opa/v1) not found beside the repository");
    }

    private sealed record PreparedCall(YamlMappingNode Node, string Module, string Name, BuiltinDefinition Definition, Value[] Args);

    private static YamlMappingNode LoadCase(string file, string index)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(ConformanceRoot(), file))));
        return (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["cases"]).Children[int.Parse(index, System.Globalization.CultureInfo.InvariantCulture)];
    }

    /// <summary>The builtin call of a case, when all its operands are literals, bound strings or input fields.</summary>
    private static PreparedCall? Prepare(YamlMappingNode node)
    {
        var module = string.Join("\n", ((YamlSequenceNode)node["modules"]).Children.Select(c => ((YamlScalarNode)c).Value));
        var input = node.Children.TryGetValue("input", out var inputNode) ? ToValue(inputNode) : null;
        var variables = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (Match m in AssignmentPattern().Matches(module))
        {
            if (TryParseTerm(m.Groups[2].Value.Trim(), input, variables, out var v))
            {
                variables[m.Groups[1].Value] = v;
            }
        }

        foreach (Match m in LocalAlias().Matches(module))
        {
            if (TryParseTerm(m.Groups[2].Value, input, variables, out var v))
            {
                variables[m.Groups[1].Value] = v;
            }
        }

        var call = CallPattern().Match(module);
        if (!call.Success || !BuiltinTable.Default.TryGet(call.Groups[1].Value, out var definition))
        {
            return null;
        }

        var parts = SplitTopLevel(ReadBalanced(module, call.Index + call.Length - 1)).Take(definition.Arity).ToList();
        var args = new List<Value>();
        foreach (var part in parts)
        {
            if (!TryParseTerm(part.Trim(), input, variables, out var v))
            {
                return null;
            }

            args.Add(v);
        }

        return args.Count == definition.Arity ? new PreparedCall(node, module, call.Groups[1].Value, definition, [.. args]) : null;
    }

    [SharedSuiteFact]
    public void Cases_MostAreDirectlyCallable()
    {
        // Cases needing the evaluator (computed operands) are covered by SecurityConformanceTests.
        Assert.True(Cases().Count() >= 150, $"only {Cases().Count()} conformance cases could be called directly");
    }

    [SharedSuiteTheory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesOpa(string file, string index)
    {
        var prepared = Prepare(LoadCase(file, index));
        Assert.NotNull(prepared);
        var (node, module, name, definition, args) = (prepared.Node, prepared.Module, prepared.Name, prepared.Definition, prepared.Args);
        var strict = node.Children.TryGetValue("strict_error", out var s) && ((YamlScalarNode)s).Value == "true";
        var wantError = node.Children.TryGetValue("want_error", out var we) ? ((YamlScalarNode)we).Value ?? string.Empty : null;
        var wantCode = node.Children.TryGetValue("want_error_code", out var wc) ? ((YamlScalarNode)wc).Value : null;
        var context = new BuiltinContext(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        Value? result = null;
        Exception? error = null;
        try
        {
            result = definition.Function!(context, args);
        }
        catch (Exception e) when (e is BuiltinErrorException or BuiltinTypeException)
        {
            error = e;
        }

        if (wantError is not null || wantCode is not null)
        {
            Assert.True(error is not null, $"expected error '{wantError}', got {result}");
            var message = name + ": " + error.Message;
            var expected = (wantError ?? string.Empty).Replace("eval_builtin_error: ", string.Empty, StringComparison.Ordinal);
            Assert.Contains(expected, message, StringComparison.Ordinal);
            if (wantCode is not null)
            {
                Assert.Equal(wantCode, error is BuiltinTypeException ? "eval_type_error" : "eval_builtin_error");
            }

            return;
        }

        var rows = (YamlSequenceNode)node["want_result"];
        if (rows.Children.Count == 0)
        {
            Assert.True(error is not null || result is null, "expected undefined");
            return;
        }

        Assert.True(error is null, $"unexpected error: {error?.Message} (strict={strict})");
        var want = ToValue(((YamlMappingNode)rows.Children[0]).Children.Values.First());
        if (Regex.IsMatch(module, @"\bp contains\b"))
        {
            result = ArrayValue.Create(result!);
        }

        if (want is ArrayValue { Count: 3 } && result is ArrayValue { Count: 3 } ra && ra[0] is BooleanValue && module.Contains("[x, y, z]", StringComparison.Ordinal))
        {
            // decode_verify / decode bound to [x, y, z]
        }

        result = Project(module, result!);
        if (name == "crypto.parse_private_keys" && module.Contains("count(", StringComparison.Ordinal))
        {
            result = Value.From(((ArrayValue)result!).Count == 1);
        }

        Assert.True(want.Equals(Normalise(result!)), $"want {want.ToJson()}\n got {Normalise(result!).ToJson()}");
    }

    /// <summary>The projections the x509 cases apply to the builtin's result.</summary>
    private static Value Project(string module, Value result)
    {
        static Value Field(Value v, string name) => v is ObjectValue o ? o[name] ?? Value.Null : Value.Null;
        if (module.Contains(".Subject.CommonName]", StringComparison.Ordinal))
        {
            return ArrayValue.Create(((ArrayValue)result).Select(c => Field(Field(c, "Subject"), "CommonName")));
        }

        if (module.Contains(".Subject.CommonName", StringComparison.Ordinal) && result is ObjectValue)
        {
            return Field(Field(result, "Subject"), "CommonName");
        }

        if (module.Contains("[0].URIStrings", StringComparison.Ordinal))
        {
            return Field(((ArrayValue)result)[0], "URIStrings");
        }

        if (module.Contains(".Certificate[0]", StringComparison.Ordinal))
        {
            return ((ArrayValue)Field(result, "Certificate"))[0];
        }

        if (module.Contains("\"valid\": value[0]", StringComparison.Ordinal))
        {
            var array = (ArrayValue)result;
            var certs = ((ArrayValue)array[1]).Select(c => (Value)ObjectValue.Create(new KeyValuePair<string, Value>[]
            {
                new("CN", Field(Field(c, "Subject"), "CommonName")),
                new("DNS", Field(c, "DNSNames")),
                new("URI", Field(c, "URIStrings")),
            }));
            return ObjectValue.Create(new KeyValuePair<string, Value>[] { new("valid", array[0]), new("certs", ArrayValue.Create(certs)) });
        }

        return result;
    }

    private static Value Normalise(Value v) => v is SetValue set ? ArrayValue.Create(set.Sorted.ToArray()) : v;

    private static bool TryParseTerm(string text, Value? input, Dictionary<string, Value> variables, out Value value)
    {
        value = Value.Null;
        if (text.StartsWith("input.", StringComparison.Ordinal) && input is ObjectValue obj && obj[text[6..]] is { } v)
        {
            value = v;
            return true;
        }

        if (text.StartsWith("data.generated.", StringComparison.Ordinal))
        {
            text = text["data.generated.".Length..];
        }

        if (variables.TryGetValue(text, out var bound))
        {
            value = bound;
            return true;
        }

        if (text.StartsWith('`') && text.EndsWith('`') && text.Length >= 2)
        {
            value = Value.From(text[1..^1]);
            return true;
        }

        if (text.Length == 0 || text[0] is not ('"' or '{' or '[') && !char.IsAsciiDigit(text[0]) && text[0] != '-')
        {
            return false;
        }

        if (text.StartsWith('{') && text != "{}" && !text.Contains(':', StringComparison.Ordinal))
        {
            // A set literal of strings.
            if (TryParseTerm("[" + text[1..^1] + "]", input, variables, out var array))
            {
                value = SetValue.Create(((ArrayValue)array).ToArray());
                return true;
            }

            return false;
        }

        text = RawString().Replace(text, m => System.Text.Json.JsonSerializer.Serialize(m.Groups[1].Value));
        text = Comment().Replace(text, string.Empty);
        text = TrailingComma().Replace(text, "$1");
        try
        {
            value = Value.FromJson(text);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static string ReadBalanced(string text, int open)
    {
        foreach (var (i, c, depth) in OutsideStrings(text, open))
        {
            if ((c is ')' or ']' or '}') && depth == 0)
            {
                return text[(open + 1)..i];
            }
        }

        return text[(open + 1)..];
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var start = 0;
        foreach (var (i, c, depth) in OutsideStrings(text, 0))
        {
            if (c == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        if (text[start..].Trim().Length > 0)
        {
            parts.Add(text[start..]);
        }

        return parts;
    }

    /// <summary>The characters of Rego text from <paramref name="start"/> that lie outside string literals, each with the bracket depth after it.</summary>
    private static IEnumerable<(int Index, char Char, int Depth)> OutsideStrings(string text, int start)
    {
        var depth = 0;
        var inString = false;
        var raw = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\' && !raw)
                {
                    i++;
                }
                else if ((c == '"' && !raw) || (c == '`' && raw))
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    raw = false;
                    continue;
                case '`':
                    inString = true;
                    raw = true;
                    continue;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']' or '}':
                    depth--;
                    break;
            }

            yield return (i, c, depth);
        }
    }

    private static Value ToValue(YamlNode node) => node switch
    {
        YamlMappingNode m => ObjectValue.Create(m.Children.Select(kv => new KeyValuePair<string, Value>(((YamlScalarNode)kv.Key).Value!, ToValue(kv.Value)))),
        YamlSequenceNode s => ArrayValue.Create(s.Children.Select(ToValue)),
        YamlScalarNode sc => Scalar(sc),
        _ => Value.Null,
    };

    private static Value Scalar(YamlScalarNode node)
    {
        var text = node.Value ?? string.Empty;
        if (node.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded)
        {
            return Value.From(text);
        }

        return text switch
        {
            "null" or "~" or "" => Value.Null,
            "true" => Value.True,
            "false" => Value.False,
            _ => NumberValue.Parse(text) is { } n ? n : Value.From(text),
        };
    }

    [GeneratedRegex(@"\b((?:io\.jwt|crypto)\.[a-z0-9_.]+)\(")]
    private static partial Regex CallPattern();

    [GeneratedRegex(@"^\s*([a-z_][a-z0-9_]*)\s*:=\s*((?:`[^`]*`)|(?:""(?:[^""\\]|\\.)*""))\s*$", RegexOptions.Multiline)]
    private static partial Regex AssignmentPattern();

    [GeneratedRegex(@"(__local\d+__) = (data\.generated\.[a-z_]+)")]
    private static partial Regex LocalAlias();

    [GeneratedRegex(@",\s*([}\]])")]
    private static partial Regex TrailingComma();

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex RawString();

    [GeneratedRegex(@"^\s*#.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    internal static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
