using System.Text;

namespace Vigil.Policy.Values;

/// <summary>A string (compared ordinally).</summary>
public sealed class StringValue : Value
{
    internal static readonly StringValue Empty = new(string.Empty);

    private int _hash;

    private StringValue(string value) => Value = value;

    public string Value { get; }

    public override ValueKind Kind => ValueKind.String;

    internal static StringValue Create(string value) => value.Length == 0 ? Empty : new StringValue(value);

    public override bool Equals(Value? other) =>
        ReferenceEquals(this, other) || (other is StringValue s && string.Equals(s.Value, Value, StringComparison.Ordinal));

    public override int GetHashCode()
    {
        var hash = _hash;
        if (hash == 0)
        {
            hash = string.GetHashCode(Value, StringComparison.Ordinal) | 1;
            _hash = hash;
        }

        return hash;
    }

    private protected override int CompareToSameKind(Value other) => CompareCodePoints(Value, ((StringValue)other).Value);

    /// <summary>
    /// Orders strings by Unicode code point, as OPA (Go, comparing UTF-8 bytes) does. UTF-16 ordinal order differs
    /// only where a surrogate pair (U+10000 and above) meets a unit in U+E000..U+FFFF, so only that case is remapped.
    /// </summary>
    internal static int CompareCodePoints(string a, string b)
    {
        var span = a.AsSpan();
        var other = b.AsSpan();
        var common = span.CommonPrefixLength(other);
        if (common == span.Length || common == other.Length)
        {
            return span.Length.CompareTo(other.Length);
        }

        return Rank(span[common]).CompareTo(Rank(other[common]));

        // Surrogates (D800-DFFF) move above E000-FFFF; E000-FFFF move down into the gap they leave.
        static int Rank(char c) => c >= 0xD800 ? (c <= 0xDFFF ? c + 0x2000 : c - 0x800) : c;
    }

    internal override void AppendRego(StringBuilder builder) => JsonValueWriter.AppendQuoted(builder, Value);
}
