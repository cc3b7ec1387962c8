namespace Vigil.Policy.Syntax.Ast;

/// <summary>What a rule defines, derived from its head.</summary>
internal enum RuleKind
{
    /// <summary><c>p := v</c>, <c>p if ...</c>, <c>a.b.c := v</c>: one value at a ground path.</summary>
    Complete,

    /// <summary><c>p contains x</c> (v0: <c>p[x] { }</c>): a set built from all bodies.</summary>
    PartialSet,

    /// <summary><c>p[k] := v</c>, <c>a.b[c].d := v</c>: single-value rule whose ref contains variables.</summary>
    PartialObject,

    /// <summary><c>f(x) := y</c>: a user function.</summary>
    Function,

    /// <summary><c>a.b[c] contains x</c>, <c>a.b contains x</c>: a multi-value rule with a ref longer than one term.</summary>
    MultiValueRef,
}

/// <summary>
/// A rule: <c>[default] head [if] { body } [else ...]</c>. Each definition in source is its own <see cref="Rule"/>;
/// an <c>else</c> chain hangs off <see cref="Else"/> (each else carries its own head with the same reference and args).
/// </summary>
internal sealed class Rule : Node
{
    public Rule(RuleHead head, Body body, Rule? @else, bool isDefault, SourceLocation location)
        : base(location)
    {
        Head = head;
        Body = body;
        Else = @else;
        IsDefault = isDefault;
    }

    public RuleHead Head { get; }

    /// <summary>The body; a rule written without one (<c>p := 1</c>, <c>default p := 1</c>) has the body <c>true</c>, as in OPA.</summary>
    public Body Body { get; }

    public Rule? Else { get; }

    public bool IsDefault { get; }

    public RuleKind Kind => Head.Kind;
}

/// <summary>
/// A rule head, modelled on OPA's: <see cref="Reference"/> is the rule's ref (<c>p</c>, <c>p.q.r</c>, <c>p[x]</c>, <c>a.b[c].d</c>;
/// head term is the var of the first name), <see cref="Args"/> the function parameters (null if not a function),
/// <see cref="Key"/> the element of a multi-value rule (<c>p contains key</c>, v0 <c>p[key] { }</c>; null otherwise),
/// <see cref="Value"/> the value term (null when implied <c>true</c>, and always null for multi-value rules).
/// As in OPA, a single-value rule whose reference is <c>name[term]</c> with a non-ground term also has that term as
/// <see cref="Key"/>: for <c>p[k] = v { }</c> / <c>p[k] := v if { }</c> the reference is <c>p[k]</c>, the key <c>k</c>.
/// </summary>
internal sealed class RuleHead : Node
{
    public RuleHead(Ref reference, IReadOnlyList<Term>? args, Term? key, Term? value, bool assign, bool isMultiValue, SourceLocation location)
        : base(location)
    {
        Reference = reference;

        // OPA makes a head a function only when it has arguments (Rule.isFunction: len(Head.Args) > 0): `f() := v`
        // is an ordinary rule, and opa fmt writes it `f := v`.
        Args = args is { Count: 0 } ? null : args;
        Key = key;
        Value = value;
        Assign = assign;
        IsMultiValue = isMultiValue;
    }

    public Ref Reference { get; }

    /// <summary>Function parameters; null for rules, including a head written with empty parentheses.</summary>
    public IReadOnlyList<Term>? Args { get; }

    public Term? Key { get; }

    public Term? Value { get; }

    /// <summary>True for <c>:=</c>, false for <c>=</c> or an implied value.</summary>
    public bool Assign { get; }

    /// <summary>The first name of the reference (<c>p</c> for <c>p.q[r]</c>).</summary>
    public string Name => ((Var)Reference.Head).Name;

    /// <summary>
    /// True for a multi-value (set-building) rule: <c>p contains x</c>, <c>a.b[c] contains x</c>, v0 <c>p[x] { }</c>.
    /// (<c>p[x] if { }</c> in v1 is single-value: <c>p[x]</c> is <c>true</c>.)
    /// </summary>
    public bool IsMultiValue { get; }

    public RuleKind Kind
    {
        get
        {
            if (Args is not null)
            {
                return RuleKind.Function;
            }

            if (IsMultiValue)
            {
                return Reference.Path.Count == 0 ? RuleKind.PartialSet : RuleKind.MultiValueRef;
            }

            foreach (var t in Reference.Path)
            {
                if (t is not Scalar { Value: Values.StringValue })
                {
                    return RuleKind.PartialObject;
                }
            }

            return RuleKind.Complete;
        }
    }
}
