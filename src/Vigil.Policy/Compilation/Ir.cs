using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

// The compiled form of policy: an immutable intermediate representation the evaluator walks.
// Variables are resolved to frame slots; refs to data/input are rooted; calls are resolved
// to a builtin or a user function node. Nothing here is mutated after compilation.

/// <summary>A term of the compiled policy.</summary>
internal abstract class Term
{
    public SourceLocation Location { get; init; }

    /// <summary>True when the term contains no variable outside closures (comprehension bodies), so it never needs enumeration.</summary>
    public bool IsVarFree { get; set; }

    /// <summary>
    /// For array/set/object literals: the value when all parts are constants, built once by the evaluator (values are
    /// immutable and shareable), or the evaluator's "not constant" marker; null until first evaluated.
    /// </summary>
    public Value? ConstantValue { get; set; }

    /// <summary>
    /// The sub-terms of a literal or call: array/set items, object keys then values, call arguments, template parts.
    /// Empty for scalars, variables, refs and comprehensions, whose parts each compiler walk treats in its own way.
    /// </summary>
    public IEnumerable<Term> Elements => this switch
    {
        ArrayTerm a => a.Items,
        SetTerm s => s.Items,
        ObjectTerm o => o.Keys.Concat(o.Values),
        CallTerm c => c.Args,
        TemplateTerm t => t.Parts,
        _ => [],
    };
}

internal sealed class ConstTerm : Term
{
    public ConstTerm(Value value)
    {
        Value = value;
        IsVarFree = true;
    }

    public Value Value { get; }
}

internal sealed class VarTerm : Term
{
    public VarTerm(string name, int slot)
    {
        Name = name;
        Slot = slot;
    }

    /// <summary>The user-visible name (generated variables start with <c>__</c>).</summary>
    public string Name { get; }

    public int Slot { get; }
}

internal enum RefRoot
{
    /// <summary>Rooted at <c>data</c>: operands walk the rule tree and base data.</summary>
    Data,

    /// <summary>Rooted at <c>input</c>.</summary>
    Input,

    /// <summary>Rooted at an arbitrary term (a local variable, call result, composite or comprehension).</summary>
    Term,
}

internal sealed class RefTerm : Term
{
    public RefTerm(RefRoot root, Term? head, Term[] operands)
    {
        Root = root;
        Head = head;
        Operands = operands;
    }

    public RefRoot Root { get; }

    public Term? Head { get; }

    public Term[] Operands { get; }

    /// <summary>For refs rooted at data: the walk over the leading constant keys, computed on first evaluation (see <see cref="DataPrefix"/>).</summary>
    public DataPrefix? StaticDataPrefix { get; set; }
}

internal sealed class ArrayTerm(Term[] items) : Term
{
    public Term[] Items { get; } = items;
}

internal sealed class SetTerm(Term[] items) : Term
{
    public Term[] Items { get; } = items;
}

internal sealed class ObjectTerm(Term[] keys, Term[] values) : Term
{
    public Term[] Keys { get; } = keys;

    public Term[] Values { get; } = values;
}

internal enum ComprehensionKind
{
    Array,
    Set,
    Object,
}

internal sealed class ComprehensionTerm(ComprehensionKind kind, Term head, Term? valueHead, Expr[] body) : Term
{
    public ComprehensionKind Kind { get; } = kind;

    /// <summary>The element (array/set) or key (object) term.</summary>
    public Term Head { get; } = head;

    /// <summary>The value term of an object comprehension.</summary>
    public Term? ValueHead { get; } = valueHead;

    public Expr[] Body { get; } = body;

    /// <summary>True for a template part with <c>with</c>: the value is the first element (undefined when none).</summary>
    public bool FirstOnly { get; set; }

    /// <summary>Slots of enclosing bodies that the comprehension reads (its free variables).</summary>
    public int[] OuterSlots { get; set; } = [];
}

/// <summary>A string template <c>$"...{expr}..."</c>: literal parts interleaved with expression parts.</summary>
internal sealed class TemplateTerm(string[] literals, Term[] parts) : Term
{
    /// <summary>Literal text; <c>Literals.Length == Parts.Length + 1</c>.</summary>
    public string[] Literals { get; } = literals;

    public Term[] Parts { get; } = parts;
}

internal enum CallKind
{
    Builtin,
    Function,

    /// <summary><c>print(...)</c>: handled by the evaluator.</summary>
    Print,
}

internal sealed class CallTerm : Term
{
    public CallTerm(string name, Term[] args, CallKind kind, BuiltinDefinition? builtin, RuleNode? function, int arity)
    {
        Name = name;
        Args = args;
        Kind = kind;
        Builtin = builtin;
        Function = function;
        Arity = arity;
    }

    /// <summary>The called name: a builtin name (<c>count</c>) or a function's full path (<c>data.pkg.f</c>).</summary>
    public string Name { get; }

    /// <summary>The operands; one more than <see cref="Arity"/> when the last one is an output.</summary>
    public Term[] Args { get; }

    public CallKind Kind { get; }

    public BuiltinDefinition? Builtin { get; }

    public RuleNode? Function { get; }

    /// <summary>The number of input operands.</summary>
    public int Arity { get; }
}

internal enum ExprKind
{
    /// <summary>A term whose value must be defined and not <c>false</c>.</summary>
    Term,

    /// <summary><c>a = b</c> (also <c>:=</c>, whose left side holds fresh variables).</summary>
    Unify,

    /// <summary><c>some k, v in coll</c>.</summary>
    SomeIn,

    /// <summary><c>every k, v in coll { body }</c>.</summary>
    Every,

    /// <summary>A declaration with no effect at run time (<c>some x</c>).</summary>
    NoOp,
}

internal sealed class Expr
{
    public ExprKind Kind { get; init; }

    public bool Negated { get; init; }

    public SourceLocation Location { get; init; }

    /// <summary>Term (Kind=Term), left side (Unify), or collection (SomeIn/Every).</summary>
    public Term? A { get; init; }

    /// <summary>Right side (Unify) or value pattern (SomeIn/Every).</summary>
    public Term? B { get; init; }

    /// <summary>Key pattern (SomeIn/Every), or null.</summary>
    public Term? Key { get; init; }

    /// <summary>The body of <c>every</c>.</summary>
    public Expr[]? Body { get; init; }

    /// <summary>For <c>every</c>: slots of the enclosing body that the body reads.</summary>
    public int[] OuterSlots { get; set; } = [];

    public With[] Withs { get; init; } = [];
}

internal enum WithTargetKind
{
    Input,
    Data,
    Function,
}

internal sealed class With
{
    public WithTargetKind Kind { get; init; }

    /// <summary>Path below <c>input</c> or <c>data</c> (strings).</summary>
    public string[] Path { get; init; } = [];

    /// <summary>For function targets: the replaced name (builtin name or function path).</summary>
    public string? FunctionName { get; init; }

    public Term Value { get; init; } = null!;

    /// <summary>For function targets replaced by a function: the replacement.</summary>
    public CallTerm? Replacement { get; init; }

    /// <summary>For function targets replaced by a builtin name.</summary>
    public BuiltinDefinition? ReplacementBuiltin { get; init; }
}

internal enum RuleKind
{
    /// <summary><c>p := v</c> / <c>p if ...</c>: one value.</summary>
    Complete,

    /// <summary><c>p contains x</c>: a set built from every solution.</summary>
    PartialSet,

    /// <summary><c>p[k] := v</c> and ref heads with variables: an object built from every solution.</summary>
    PartialObject,

    Function,
}

internal sealed class Rule
{
    public RuleKind Kind { get; init; }

    public RuleNode Node { get; set; } = null!;

    /// <summary>For PartialObject: the dynamic key terms after the node path (<c>p[a][b] := v</c> has two); for PartialSet with a ref head: the key terms before the member.</summary>
    public Term[] Keys { get; init; } = [];

    /// <summary>The value term (Complete, PartialObject, Function) or member term (PartialSet).</summary>
    public Term Value { get; init; } = null!;

    public Term[] Args { get; init; } = [];

    public Expr[] Body { get; init; } = [];

    public Rule? Else { get; set; }

    /// <summary>True for a function whose parameters are all plain variables or constants (bound without unification machinery).</summary>
    public bool PlainArgs
    {
        get
        {
            // Computed once from immutable parts; a race computes the same answer.
            var state = _plainArgs;
            if (state == 0)
            {
                state = Kind == RuleKind.Function && Array.TrueForAll(Args, static a => a is VarTerm or ConstTerm) ? 1 : 2;
                _plainArgs = state;
            }

            return state == 1;
        }
    }

    private int _plainArgs;

    public bool IsDefault { get; init; }

    /// <summary>True when the body only tests variable-free conditions: it is evaluated as a plain loop, without backtracking machinery.</summary>
    public bool SimpleBody { get; init; }

    public int FrameSize { get; set; }

    /// <summary>False when the rule has no variables at all, so evaluation can skip allocating a frame.</summary>
    public bool NeedsFrame { get; init; } = true;

    public SourceLocation Location { get; init; }

    public string Module { get; init; } = "";
}

/// <summary>A node of the rule tree: a path below <c>data</c> with the rules defined exactly there.</summary>
internal sealed class RuleNode
{
    public RuleNode(string name, RuleNode? parent)
    {
        Name = name;
        Parent = parent;
        Path = parent is null ? [] : [.. parent.Path, name];
    }

    public string Name { get; }

    public RuleNode? Parent { get; }

    /// <summary>The segments below <c>data</c>.</summary>
    public string[] Path { get; }

    public string FullName => Path.Length == 0 ? "data" : "data." + string.Join('.', Path);

    public Dictionary<string, RuleNode> Children { get; } = new(StringComparer.Ordinal);

    public List<Rule> Rules { get; } = [];

    /// <summary>The rules as an array (set when compilation finishes), for allocation-free iteration.</summary>
    public Rule[] RuleArray { get; set; } = [];

    public Rule? Default { get; set; }

    /// <summary>Rule kind of the rules here (all rules at a node share a kind).</summary>
    public RuleKind Kind { get; set; }

    public bool HasRules => Rules.Count > 0 || Default is not null;

    public bool IsFunction => HasRules && Kind == RuleKind.Function;

    /// <summary>True when this node or a descendant holds rules.</summary>
    public bool HasRulesBelow { get; set; }

    /// <summary>Optional index over the rules' equality conditions (see <see cref="RuleIndex"/>).</summary>
    public RuleIndex? Index { get; set; }

    /// <summary>Number of parameters, for function nodes.</summary>
    public int Arity { get; set; }

    /// <summary>Dense id for per-evaluation caches.</summary>
    public int Id { get; set; }

    public RuleNode GetOrAddChild(string name)
    {
        if (!Children.TryGetValue(name, out var child))
        {
            child = new RuleNode(name, this);
            Children.Add(name, child);
        }

        return child;
    }

    public override string ToString() => FullName;
}

/// <summary>A compiled query: its body and the user variables it binds.</summary>
internal sealed class CompiledQuery
{
    public Expr[] Body { get; init; } = [];

    public int FrameSize { get; init; }

    /// <summary>Number of variable slots actually used (0: the query has no variables at all, not even in closures).</summary>
    public int SlotCount { get; init; }

    /// <summary>User-visible variables (name, slot), in first-appearance order.</summary>
    public (string Name, int Slot)[] Variables { get; init; } = [];

    /// <summary>
    /// As OPA's query capture: when true (several expressions or iteration), a row needs every captured value to be
    /// other than false; when false, a single expression's false value is itself the result.
    /// </summary>
    public bool CheckCaptures { get; init; }

    /// <summary>For each expression of <see cref="Body"/>, the slot holding its captured value (<c>with</c> expressions), or -1.</summary>
    public int[] CaptureSlots { get; init; } = [];

    /// <summary>For each expression of <see cref="Body"/> (reordered for safety), its position in the query text.</summary>
    public int[] OriginalIndex { get; init; } = [];

    /// <summary>For each top-level expression, the term whose value is reported (null: the expression's truth).</summary>
    public Term?[] ExpressionTerms { get; init; } = [];
}
