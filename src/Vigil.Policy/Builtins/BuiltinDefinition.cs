namespace Vigil.Policy.Builtins;

/// <summary>One entry of the builtin table.</summary>
public sealed class BuiltinDefinition
{
    internal BuiltinDefinition(string name, ValueTypes[] parameters, ValueTypes result, BuiltinFunction? function, BuiltinRelation? relation, bool nondeterministic)
    {
        Name = name;
        Parameters = parameters;
        Result = result;
        Function = function;
        Relation = relation;
        Nondeterministic = nondeterministic;
    }

    /// <summary>Full dotted name, e.g. <c>strings.replace_n</c>.</summary>
    public string Name { get; }

    /// <summary>Declared operand types; the arity is their count.</summary>
    public IReadOnlyList<ValueTypes> Parameters { get; }

    public int Arity => Parameters.Count;

    /// <summary>Declared result type.</summary>
    public ValueTypes Result { get; }

    /// <summary>The implementation, for ordinary functions.</summary>
    public BuiltinFunction? Function { get; }

    /// <summary>The implementation, for relations (multiple outputs).</summary>
    public BuiltinRelation? Relation { get; }

    /// <summary>True for builtins whose result may differ between calls with the same input (time.now_ns, rand.intn, uuid.rfc4122).</summary>
    public bool Nondeterministic { get; }
}
