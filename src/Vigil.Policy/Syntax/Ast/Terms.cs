using Vigil.Policy.Values;

namespace Vigil.Policy.Syntax.Ast;

/// <summary>Base of all terms (values, variables, refs, collections, comprehensions, calls).</summary>
internal abstract class Term : Node
{
    protected Term(SourceLocation location)
        : base(location)
    {
    }
}

/// <summary>A scalar literal: null, boolean, number (literal text kept by <see cref="NumberValue.Parse"/>) or string.</summary>
internal sealed class Scalar : Term
{
    public Scalar(Value value, SourceLocation location)
        : base(location)
    {
        Value = value;
    }

    public Value Value { get; }
}

/// <summary>
/// A variable. The wildcard <c>_</c> is parsed into a fresh generated variable per occurrence, named like OPA's
/// (<c>$0</c>, <c>$1</c>, ... unique within a module or query); <see cref="IsGenerated"/> tells them apart.
/// <c>input</c> and <c>data</c> are ordinary vars at the head of a <see cref="Ref"/>.
/// </summary>
internal sealed class Var : Term
{
    public Var(string name, SourceLocation location)
        : base(location)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>True for parser-generated variables (from <c>_</c>), whose names start with <c>$</c>.</summary>
    public bool IsGenerated => Name.Length > 0 && Name[0] == '$';

    /// <summary>True for a generated variable that came from a <c>_</c> wildcard.</summary>
    public bool IsWildcard => IsGenerated;
}

/// <summary>
/// A reference: <see cref="Head"/> followed by <see cref="Path"/> operands. <c>data.a.b</c> is head var <c>data</c> with
/// string terms <c>"a"</c>, <c>"b"</c>; <c>input.x[y]</c> has path <c>"x"</c>, var <c>y</c>; <c>f(x).y</c> has a <see cref="Call"/> head.
/// </summary>
internal sealed class Ref : Term
{
    public Ref(Term head, IReadOnlyList<Term> path, SourceLocation location)
        : base(location)
    {
        Head = head;
        Path = path;
    }

    public Term Head { get; }

    public IReadOnlyList<Term> Path { get; }

    /// <summary>Number of terms including the head.</summary>
    public int Length => Path.Count + 1;

    /// <summary>The term at <paramref name="index"/>, where 0 is the head.</summary>
    public Term this[int index] => index == 0 ? Head : Path[index - 1];

    /// <summary>
    /// Dotted name when the head is a var and every path term is a string that is a valid identifier
    /// (<c>data.a.b</c>, <c>time.now_ns</c>, <c>internal.member_2</c>); otherwise null.
    /// </summary>
    public string? DottedName
    {
        get
        {
            if (Head is not Var v)
            {
                return null;
            }

            if (Path.Count == 0)
            {
                return v.Name;
            }

            var builder = new System.Text.StringBuilder(v.Name);
            foreach (var t in Path)
            {
                if (t is not Scalar { Value: StringValue s })
                {
                    return null;
                }

                builder.Append('.').Append(s.Value);
            }

            return builder.ToString();
        }
    }
}

/// <summary><c>[a, b, c]</c>.</summary>
internal sealed class ArrayTerm : Term
{
    public ArrayTerm(IReadOnlyList<Term> items, SourceLocation location)
        : base(location)
    {
        Items = items;
    }

    public IReadOnlyList<Term> Items { get; }
}

/// <summary><c>{k: v, ...}</c>; keys may be any term (duplicate literal keys are left to the compiler).</summary>
internal sealed class ObjectTerm : Term
{
    public ObjectTerm(IReadOnlyList<KeyValuePair<Term, Term>> pairs, SourceLocation location)
        : base(location)
    {
        Pairs = pairs;
    }

    public IReadOnlyList<KeyValuePair<Term, Term>> Pairs { get; }
}

/// <summary><c>{a, b}</c> or <c>set()</c> (empty).</summary>
internal sealed class SetTerm : Term
{
    public SetTerm(IReadOnlyList<Term> items, SourceLocation location)
        : base(location)
    {
        Items = items;
    }

    public IReadOnlyList<Term> Items { get; }
}

/// <summary><c>[term | body]</c>.</summary>
internal sealed class ArrayComprehension : Term
{
    public ArrayComprehension(Term term, Body body, SourceLocation location)
        : base(location)
    {
        Term = term;
        Body = body;
    }

    public Term Term { get; }

    public Body Body { get; }
}

/// <summary><c>{term | body}</c>.</summary>
internal sealed class SetComprehension : Term
{
    public SetComprehension(Term term, Body body, SourceLocation location)
        : base(location)
    {
        Term = term;
        Body = body;
    }

    public Term Term { get; }

    public Body Body { get; }
}

/// <summary><c>{key: value | body}</c>.</summary>
internal sealed class ObjectComprehension : Term
{
    public ObjectComprehension(Term key, Term value, Body body, SourceLocation location)
        : base(location)
    {
        Key = key;
        Value = value;
        Body = body;
    }

    public Term Key { get; }

    public Term Value { get; }

    public Body Body { get; }
}

/// <summary>
/// A call: <see cref="Operator"/> is a ref naming the function (<c>count</c>, <c>time.now_ns</c>, <c>data.pkg.f</c>,
/// <c>eq</c>, <c>plus</c>, <c>internal.member_2</c>, ...), <see cref="Args"/> the operands.
/// As <see cref="Expr.Terms"/> it is an operator/function expression; anywhere else it is a call in term position
/// (<c>x := f(y)</c>, <c>a + b</c> nested in a term) whose value is its (single) output.
/// </summary>
internal sealed class Call : Term
{
    public Call(Ref @operator, IReadOnlyList<Term> args, SourceLocation location)
        : base(location)
    {
        Operator = @operator;
        Args = args;
    }

    public Ref Operator { get; }

    public IReadOnlyList<Term> Args { get; }

    /// <summary>The operator's dotted name (<c>eq</c>, <c>count</c>, <c>data.x.f</c>); null if it is not a plain name.</summary>
    public string? Name => Operator.DottedName;
}

/// <summary>
/// A template string <c>$"text {expr} text"</c> (or raw <c>$`...`</c>): <see cref="Parts"/> are, in order,
/// <see cref="Scalar"/> string literals and <see cref="Expr"/> interpolations.
/// </summary>
internal sealed class TemplateString : Term
{
    public TemplateString(IReadOnlyList<Node> parts, bool isRaw, SourceLocation location)
        : base(location)
    {
        Parts = parts;
        IsRaw = isRaw;
    }

    public IReadOnlyList<Node> Parts { get; }

    public bool IsRaw { get; }
}
