using System.Collections;

namespace Vigil.Policy;

/// <summary>The solutions of a query. Empty means undefined.</summary>
public sealed class QueryResult : IReadOnlyList<QueryResultRow>
{
    internal static readonly QueryResult Undefined = new([]);

    /// <summary>The result of a single-term query whose value is <c>true</c> (shared: results are immutable).</summary>
    internal static readonly QueryResult SingleTrue = Single(Values.Value.True);

    /// <summary>The result of a single-term query whose value is <c>false</c>.</summary>
    internal static readonly QueryResult SingleFalse = Single(Values.Value.False);

    private readonly QueryResultRow[] _rows;

    internal QueryResult(QueryResultRow[] rows)
    {
        _rows = rows;
    }

    private static QueryResult Single(Values.Value value) =>
        new([new QueryResultRow(PreparedQuery.NoBindings, Array.AsReadOnly(new[] { value }))]);

    /// <summary>True when the query has no solution.</summary>
    public bool IsUndefined => _rows.Length == 0;

    public int Count => _rows.Length;

    public QueryResultRow this[int index] => _rows[index];

    public IEnumerator<QueryResultRow> GetEnumerator() => ((IEnumerable<QueryResultRow>)_rows).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _rows.GetEnumerator();
}
