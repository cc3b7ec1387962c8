using Vigil.Policy.Compilation;
using Vigil.Policy.Syntax;
using Vigil.Policy.Values;

namespace Vigil.Policy;

/// <summary>Collects modules and data, then compiles them into a <see cref="CompiledPolicy"/>. Not thread-safe.</summary>
public sealed class PolicyEngine
{
    private readonly PolicyOptions _options;
    private readonly List<(string File, string Text)> _modules = [];
    private readonly List<Value> _data = [];

    public PolicyEngine(PolicyOptions? options = null)
    {
        _options = options ?? new PolicyOptions();
    }

    /// <summary>Adds a Rego module.</summary>
    public PolicyEngine AddModule(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        _modules.Add((fileName, text));
        return this;
    }

    /// <summary>Adds base data; objects are merged, a conflicting value is reported by <see cref="Compile"/>.</summary>
    public PolicyEngine AddData(Value data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data.Add(data);
        return this;
    }

    /// <summary>Adds base data from JSON text.</summary>
    /// <exception cref="ValueParseException">The text is not valid JSON.</exception>
    public PolicyEngine AddDataJson(string json) => AddData(Value.FromJson(json));

    /// <summary>Parses and compiles everything added so far.</summary>
    /// <exception cref="PolicyCompileException">Every parse and compile error found.</exception>
    public CompiledPolicy Compile() => CompileWith(rewrite: null);

    /// <summary>Compiles with a rewrite of the parsed modules first (the test runner's renaming of duplicate tests).</summary>
    internal CompiledPolicy CompileWith(Func<IReadOnlyList<Syntax.Ast.Module>, IReadOnlyList<Syntax.Ast.Module>>? rewrite)
    {
        var errors = new List<PolicyError>();
        var modules = new List<Syntax.Ast.Module>();
        foreach (var (file, text) in _modules)
        {
            try
            {
                var module = RegoParser.ParseModule(file, text, _options.RegoVersion);
                modules.Add(module);
                if (module.RegoVersion == RegoVersion.V1)
                {
                    errors.AddRange(RegoV1Checks.Check(module));
                }
            }
            catch (PolicyCompileException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        var data = MergeData(errors);
        if (errors.Count > 0)
        {
            throw new PolicyCompileException(errors);
        }

        PolicyProgram program;
        try
        {
            program = Compiler.Compile(rewrite is null ? modules : rewrite(modules), data, _options.Builtins);
        }
        catch (Exception e) when (e is not (PolicyException or OutOfMemoryException))
        {
            throw new PolicyCompileException(new PolicyError(PolicyErrorCodes.CompileError, $"internal compiler error: {e.GetType().Name}: {e.Message}"));
        }

        return new CompiledPolicy(program, Summaries(program));
    }

    /// <summary>Parses Rego term text of a ground value (sets and non-string keys allowed), e.g. for <c>input_term</c>.</summary>
    /// <exception cref="PolicyCompileException">The text is not a ground term.</exception>
    public static Value ParseTerm(string regoTermText) => RegoParser.ParseValue(regoTermText);

    private ObjectValue MergeData(List<PolicyError> errors)
    {
        ObjectValue result = ObjectValue.Empty;
        foreach (var data in _data)
        {
            if (data is not ObjectValue o)
            {
                errors.Add(new PolicyError(PolicyErrorCodes.CompileError, $"data must be an object, got {data.TypeName}"));
                continue;
            }

            result = Merge(result, o, "data", errors);
        }

        return result;
    }

    private static ObjectValue Merge(ObjectValue a, ObjectValue b, string path, List<PolicyError> errors)
    {
        if (a.Count == 0)
        {
            return b;
        }

        var dict = new Dictionary<Value, Value>(a.Items);
        foreach (var (key, value) in b.Items)
        {
            if (dict.TryGetValue(key, out var existing))
            {
                if (existing is ObjectValue eo && value is ObjectValue vo)
                {
                    dict[key] = Merge(eo, vo, $"{path}.{key}", errors);
                    continue;
                }

                if (!existing.Equals(value))
                {
                    errors.Add(new PolicyError(PolicyErrorCodes.CompileError, $"data conflict at {path}.{key}: two different values"));
                    continue;
                }
            }

            dict[key] = value;
        }

        return ObjectValue.Wrap(dict);
    }

    private static List<RuleSummary> Summaries(PolicyProgram program)
    {
        var list = new List<RuleSummary>();
        foreach (var node in program.Nodes)
        {
            if (node.Default is { } d)
            {
                list.Add(new RuleSummary(node.FullName, node.Name, d.Location, node.IsFunction));
            }

            foreach (var rule in node.Rules)
            {
                list.Add(new RuleSummary(node.FullName, node.Name, rule.Location, node.IsFunction));
            }
        }

        return list;
    }
}
