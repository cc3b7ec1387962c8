using System.Text;

namespace Vigil.Policy.Values;

/// <summary>A boolean. There are exactly two instances.</summary>
public sealed class BooleanValue : Value
{
    internal static readonly BooleanValue TrueValue = new(true);
    internal static readonly BooleanValue FalseValue = new(false);

    private BooleanValue(bool value) => Value = value;

    public bool Value { get; }

    public override ValueKind Kind => ValueKind.Boolean;

    public override bool Equals(Value? other) => other is BooleanValue b && b.Value == Value;

    public override int GetHashCode() => Value ? 1231 : 1237;

    private protected override int CompareToSameKind(Value other) => Value.CompareTo(((BooleanValue)other).Value);

    internal override void AppendRego(StringBuilder builder) => builder.Append(Value ? "true" : "false");
}
