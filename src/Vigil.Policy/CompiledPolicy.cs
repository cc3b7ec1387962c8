using Vigil.Policy.Compilation;
using Vigil.Policy.Syntax;
using Vigil.Policy.Values;

namespace Vigil.Policy;

/// <summary>Compiled policy modules and data. Immutable: evaluation is thread-safe and shares nothing mutable.</summary>
public sealed class CompiledPolicy
{
    private readonly PolicyProgram _program;

    internal CompiledPolicy(PolicyProgram program, IReadOnlyList<RuleSummary> rules)
    {
        _program = program;
        Rules = rules;
    }

    /// <summary>Every rule, with its full path (e.g. <c>data.authz.test_allow</c>).</summary>
    public IReadOnlyList<RuleSummary> Rules { get; }

    internal PolicyProgram Program => _program;

    /// <summary>Parses and compiles a query once, for repeated evaluation.</summary>
    /// <exception cref="PolicyCompileException">The query does not parse or compile (all errors listed).</exception>
    public PreparedQuery Prepare(string query)
    {
        var body = RegoParser.ParseQuery(query);
        var compiled = Compiler.CompileQuery(body, _program);
        return new PreparedQuery(_program, compiled);
    }

    /// <summary>Prepares and evaluates a query in one step.</summary>
    public QueryResult Evaluate(string query, Value? input = null, EvaluationOptions? options = null) =>
        Prepare(query).Evaluate(input, options);
}
