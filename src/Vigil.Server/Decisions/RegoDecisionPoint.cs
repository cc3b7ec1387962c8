using System.Collections.Concurrent;
using Vigil.Policy;
using Vigil.Policy.Values;

namespace Vigil.Server.Decisions;

/// <summary>The real decision point: Vigil's Rego engine, compiled once per configuration, queries prepared once.</summary>
internal sealed class RegoDecisionPoint : IDecisionPoint
{
    private readonly CompiledPolicy _policy;
    private readonly ConcurrentDictionary<string, PreparedQuery> _prepared = new(StringComparer.Ordinal);
    private readonly EvaluationOptions _options;

    public RegoDecisionPoint(CompiledPolicy policy, TimeSpan timeout, TimeProvider timeProvider)
    {
        _policy = policy;
        _options = new EvaluationOptions { Timeout = timeout, TimeProvider = timeProvider };
    }

    /// <summary>Loads every <c>*.rego</c> (tests excluded) and <c>data.json</c> under the directories and compiles them.</summary>
    public static RegoDecisionPoint Load(IReadOnlyList<string> directories, TimeSpan timeout, TimeProvider timeProvider)
    {
        var engine = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.Auto });
        foreach (var directory in directories)
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".rego", StringComparison.Ordinal) && !name.EndsWith("_test.rego", StringComparison.Ordinal))
                {
                    engine.AddModule(Path.GetRelativePath(directory, file), File.ReadAllText(file));
                }
                else if (name == "data.json")
                {
                    engine.AddDataJson(File.ReadAllText(file));
                }
            }
        }

        return new RegoDecisionPoint(engine.Compile(), timeout, timeProvider);
    }

    public string? Prepare(string query)
    {
        try
        {
            _prepared[query] = _policy.Prepare(query);
            return null;
        }
        catch (PolicyException ex)
        {
            return ex.Message;
        }
    }

    public Decision Decide(string query, Value input)
    {
        try
        {
            if (!_prepared.TryGetValue(query, out var prepared))
            {
                prepared = _prepared.GetOrAdd(query, q => _policy.Prepare(q));
            }

            var result = prepared.Evaluate(input, _options);
            if (result.IsUndefined || result.Count == 0 || result[0].Expressions.Count == 0)
            {
                return DecisionReader.Read(null);
            }

            return DecisionReader.Read(result[0].Expressions[0]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var code = ex is PolicyException pe ? pe.GetType().Name + ": " + pe.Message : ex.GetType().Name;
            return Decision.Deny("policy_error", code);
        }
    }
}
