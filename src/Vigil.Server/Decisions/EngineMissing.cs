// TEMPORARY until the Rego engine lands: fail-closed placeholder (denies everything). Deleted at merge.
using Vigil.Policy.Values;

namespace Vigil.Server.Decisions;

internal sealed class RegoDecisionPoint : IDecisionPoint
{
    public static RegoDecisionPoint Load(IReadOnlyList<string> directories, TimeSpan timeout, TimeProvider timeProvider)
    {
        _ = directories;
        _ = timeout;
        _ = timeProvider;
        return new RegoDecisionPoint();
    }

    public string? Prepare(string query) => null;

    public Decision Decide(string query, Value input) => Decision.Deny("policy_engine_unavailable", "engine not merged yet");
}
