namespace Vigil.Policy.Compilation;

/// <summary>Index over the equality conditions of a node's complete rules (see <see cref="TryBuild"/>).</summary>
internal sealed partial class RuleIndex
{
    /// <summary>Builds an index for the node when its rules qualify; otherwise leaves <see cref="RuleNode.Index"/> null.</summary>
    public static void TryBuild(RuleNode node)
    {
        _ = node;
    }

    /// <summary>The candidate rules for the current input, or null to evaluate them all.</summary>
    public List<Rule>? Lookup(Evaluation.Evaluator evaluator)
    {
        _ = evaluator;
        return null;
    }
}
