namespace Vigil.Policy.Syntax.Ast;

/// <summary>A conjunction of expressions (rule body, query, comprehension body, <c>every</c> body).</summary>
internal sealed class Body : Node
{
    public Body(IReadOnlyList<Expr> exprs, SourceLocation location)
        : base(location)
    {
        Exprs = exprs;
    }

    public IReadOnlyList<Expr> Exprs { get; }

    public int Count => Exprs.Count;

    public Expr this[int index] => Exprs[index];
}

/// <summary>
/// One expression of a body. <see cref="Terms"/> is one of:
/// a <see cref="Call"/> (operator call: <c>eq</c> for <c>=</c>, <c>assign</c> for <c>:=</c>, <c>equal</c>, <c>neq</c>, <c>lt</c>, ...,
/// <c>internal.member_2</c>/<c>internal.member_3</c> for <c>in</c>, or a builtin/user function call),
/// any other <see cref="Term"/> (a single term that must be defined and not false),
/// a <see cref="SomeDecl"/>, or an <see cref="Every"/>.
/// </summary>
internal sealed class Expr : Node
{
    public Expr(int index, bool negated, Node terms, IReadOnlyList<With> with, SourceLocation location)
        : base(location)
    {
        if (terms is not (Term or SomeDecl or Every))
        {
            throw new ArgumentException("Expression terms must be a Term, SomeDecl or Every.", nameof(terms));
        }

        Index = index;
        Negated = negated;
        Terms = terms;
        With = with;
    }

    /// <summary>Position of the expression in its body (0-based).</summary>
    public int Index { get; }

    /// <summary>Preceded by <c>not</c>.</summary>
    public bool Negated { get; }

    public Node Terms { get; }

    public IReadOnlyList<With> With { get; }

    /// <summary>The term when the expression is a single term (not a call, some or every), else null.</summary>
    public Term? AsTerm => Terms is Term t and not Call ? t : null;
}

/// <summary><c>with target as value</c>; <see cref="Target"/> is a ref (<c>input.x</c>, <c>data.a.b</c>, or a function ref such as <c>time.now_ns</c>).</summary>
internal sealed class With : Node
{
    public With(Ref target, Term value, SourceLocation location)
        : base(location)
    {
        Target = target;
        Value = value;
    }

    public Ref Target { get; }

    public Term Value { get; }
}

/// <summary>
/// <c>some x, y</c> (<see cref="IsIn"/> false: <see cref="Vars"/> declared), or <c>some v in xs</c> / <c>some k, v in xs</c>
/// (<see cref="IsIn"/> true: <see cref="Key"/> (null for the one-variable form), <see cref="Value"/> and <see cref="Domain"/>;
/// key and value may be patterns such as <c>[a, b]</c>). OPA represents the latter as <c>internal.member_2/3</c> calls.
/// </summary>
internal sealed class SomeDecl : Node
{
    public SomeDecl(IReadOnlyList<Var> vars, SourceLocation location)
        : base(location)
    {
        Vars = vars;
    }

    public SomeDecl(Term? key, Term value, Term domain, SourceLocation location)
        : base(location)
    {
        Vars = [];
        Key = key;
        Value = value;
        Domain = domain;
    }

    public IReadOnlyList<Var> Vars { get; }

    public bool IsIn => Domain is not null;

    public Term? Key { get; }

    public Term? Value { get; }

    public Term? Domain { get; }
}

/// <summary><c>every [key,] value in domain { body }</c>.</summary>
internal sealed class Every : Node
{
    public Every(Term? key, Term value, Term domain, Body body, SourceLocation location)
        : base(location)
    {
        Key = key;
        Value = value;
        Domain = domain;
        Body = body;
    }

    public Term? Key { get; }

    public Term Value { get; }

    public Term Domain { get; }

    public Body Body { get; }
}
