using System.Text;

namespace Vigil.Policy.Values;

/// <summary>The JSON null.</summary>
public sealed class NullValue : Value
{
    internal static readonly NullValue Instance = new();

    private NullValue()
    {
    }

    public override ValueKind Kind => ValueKind.Null;

    public override bool Equals(Value? other) => other is NullValue;

    public override int GetHashCode() => 0x5f3759df;

    private protected override int CompareToSameKind(Value other) => 0;

    internal override void AppendRego(StringBuilder builder) => builder.Append("null");
}
