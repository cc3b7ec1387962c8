using System.Collections;

namespace Vigil.Policy;

/// <summary>The solutions of a query. Empty means undefined.</summary>
public sealed class QueryResult : IReadOnlyList<QueryResultRow>
{
    internal static readonly QueryResult Undefined = new([]);

    private readonly QueryResultRow[] _rows;

    internal QueryResult(QueryResultRow[] rows)
    {
        _rows = rows;
    }

    /// <summary>True when the query has no solution.</summary>
    public bool IsUndefined => _rows.Length == 0;

    public int Count => _rows.Length;

    public QueryResultRow this[int index] => _rows[index];

    public IEnumerator<QueryResultRow> GetEnumerator() => ((IEnumerable<QueryResultRow>)_rows).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _rows.GetEnumerator();
}
