using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

/// <summary>The immutable result of compilation: the rule tree, base data and builtins. Shared by all evaluations.</summary>
internal sealed class PolicyProgram
{
    public PolicyProgram(RuleNode root, ObjectValue data, BuiltinTable builtins, RuleNode[] nodes)
    {
        Root = root;
        Data = data;
        Builtins = builtins;
        Nodes = nodes;
    }

    public RuleNode Root { get; }

    public ObjectValue Data { get; }

    public BuiltinTable Builtins { get; }

    /// <summary>Every node, indexed by <see cref="RuleNode.Id"/>.</summary>
    public RuleNode[] Nodes { get; }
}
