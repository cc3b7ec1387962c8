using Vigil.Policy.Values;

namespace Vigil.Server.Decisions;

/// <summary>The policy decision point as the gateway sees it: compiled policies, one query per route.</summary>
internal interface IDecisionPoint
{
    /// <summary>Checks at load time that <paramref name="query"/> compiles; returns an error message or null.</summary>
    string? Prepare(string query);

    /// <summary>Evaluates a prepared query. Never throws: any failure is a denial with <see cref="Decision.Error"/> set.</summary>
    Decision Decide(string query, Value input);
}
