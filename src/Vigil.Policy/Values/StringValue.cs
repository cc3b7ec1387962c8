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

    private protected override int CompareToSameKind(Value other) => string.CompareOrdinal(Value, ((StringValue)other).Value);

    internal override void AppendRego(StringBuilder builder) => JsonValueWriter.AppendQuoted(builder, Value);
}
