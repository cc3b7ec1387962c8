using Vigil.Policy.Values;

namespace Vigil.Policy;

/// <summary>One solution of a query.</summary>
public sealed class QueryResultRow
{
    internal QueryResultRow(IReadOnlyDictionary<string, Value> bindings, IReadOnlyList<Value> expressions)
    {
        Bindings = bindings;
        Expressions = expressions;
    }

    /// <summary>The values of the query's user variables (compiler-generated variables are left out).</summary>
    public IReadOnlyDictionary<string, Value> Bindings { get; }

    /// <summary>The value of each top-level expression, as <c>opa eval</c> reports them (<c>true</c> for comparisons and unifications).</summary>
    public IReadOnlyList<Value> Expressions { get; }
}
