namespace Vigil.Policy.Compilation;

/// <summary>
/// Variable scope of one body (rule body, query, comprehension, every). A name used in a closure
/// refers to the variable of the outermost enclosing body that mentions the name anywhere, as in OPA.
/// </summary>
internal sealed class Scope
{
    private readonly Dictionary<string, VarTerm> _vars = new(StringComparer.Ordinal);

    public Scope(Scope? parent, FrameAllocator frame, HashSet<string> bodyNames)
    {
        Parent = parent;
        Frame = frame;
        BodyNames = bodyNames;
    }

    public Scope? Parent { get; }

    public FrameAllocator Frame { get; }

    /// <summary>Every variable name mentioned in this body outside nested closures.</summary>
    public HashSet<string> BodyNames { get; }

    /// <summary>Slots of this scope's own variables.</summary>
    public HashSet<int> OwnSlots { get; } = [];

    /// <summary>Outer slots referenced from inside this scope (free variables of the closure).</summary>
    public HashSet<int> OuterSlots { get; } = [];

    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);

    public bool TryGetOwn(string name, out VarTerm var) => _vars.TryGetValue(name, out var!);

    /// <summary>True when the name was introduced by <c>:=</c> or <c>some</c> (not just used).</summary>
    public bool IsDeclared(string name) => _declared.Contains(name);

    public void MarkDeclared(string name) => _declared.Add(name);

    /// <summary>Declares a fresh variable in this scope (<c>:=</c>, <c>some</c>, arguments).</summary>
    public VarTerm Declare(string name, SourceLocation location)
    {
        var v = new VarTerm(name, Frame.Next()) { Location = location };
        _vars[name] = v;
        OwnSlots.Add(v.Slot);
        return v;
    }

    /// <summary>Finds a variable visible here, or null.</summary>
    public VarTerm? Find(string name, SourceLocation location)
    {
        if (_vars.TryGetValue(name, out var own))
        {
            return new VarTerm(own.Name, own.Slot) { Location = location };
        }

        // The variable belongs to the outermost enclosing body that has it or mentions it: a mention in a body
        // between here and that one refers outwards too (f(a) := [v | v := a; count([a | true]) > 0] has one a).
        Scope? mentioned = null;
        for (var s = Parent; s is not null; s = s.Parent)
        {
            if (s._vars.TryGetValue(name, out var outer))
            {
                MarkOuter(outer.Slot, s);
                return new VarTerm(outer.Name, outer.Slot) { Location = location };
            }

            if (s.BodyNames.Contains(name))
            {
                mentioned = s;
            }
        }

        if (mentioned is not null)
        {
            var v = mentioned.Declare(name, location);
            MarkOuter(v.Slot, mentioned);
            return new VarTerm(v.Name, v.Slot) { Location = location };
        }

        return null;
    }

    private void MarkOuter(int slot, Scope owner)
    {
        for (var s = this; s is not null && !ReferenceEquals(s, owner); s = s.Parent)
        {
            s.OuterSlots.Add(slot);
        }
    }

    /// <summary>Finds or creates a variable of this body.</summary>
    public VarTerm Resolve(string name, SourceLocation location) => Find(name, location) ?? Declare(name, location);
}

/// <summary>Hands out frame slots for one rule or query.</summary>
internal sealed class FrameAllocator
{
    public int Count { get; private set; }

    public int Next() => Count++;
}
