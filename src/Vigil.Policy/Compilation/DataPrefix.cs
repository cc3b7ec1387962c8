using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

/// <summary>
/// Where a ref into <c>data</c> arrives after its leading constant keys, when no <c>with data</c> override is active:
/// the rule node and base document reached and the index of the first operand still to evaluate. Rule tree and base
/// data are immutable, so this walk gives the same answer every time; the evaluator computes it once per ref
/// (for the program it belongs to) and starts there.
/// </summary>
internal sealed class DataPrefix(PolicyProgram program, RuleNode? node, Value? baseData, int position, bool undefined)
{
    public PolicyProgram Program { get; } = program;

    public RuleNode? Node { get; } = node;

    public Value? BaseData { get; } = baseData;

    /// <summary>The first operand the walk did not consume.</summary>
    public int Position { get; } = position;

    /// <summary>True when the constant keys already lead nowhere (neither rules nor base data).</summary>
    public bool Undefined { get; } = undefined;
}
