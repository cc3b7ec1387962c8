using System.Text;

namespace Vigil.Policy.Values;

/// <summary>
/// An immutable Rego value: null, boolean, number, string, array, object or set.
/// "Undefined" is not a value; APIs use a <c>null</c> reference for it.
/// Equality, hashing and ordering follow OPA (1 == 1.0; null &lt; booleans &lt; numbers &lt; strings &lt; arrays &lt; objects &lt; sets).
/// </summary>
public abstract class Value : IEquatable<Value>, IComparable<Value>
{
    private protected Value()
    {
    }

    public abstract ValueKind Kind { get; }

    public static NullValue Null => NullValue.Instance;

    public static BooleanValue True => BooleanValue.TrueValue;

    public static BooleanValue False => BooleanValue.FalseValue;

    public static BooleanValue From(bool value) => value ? BooleanValue.TrueValue : BooleanValue.FalseValue;

    public static StringValue From(string value) => StringValue.Create(value);

    public static NumberValue From(long value) => NumberValue.Create(value);

    public static NumberValue From(double value) => NumberValue.Create(value);

    /// <summary>Parses JSON text into a value (iteratively: deep nesting is limited by <paramref name="maxDepth"/>, never by the stack).</summary>
    /// <exception cref="ValueParseException">The text is not valid JSON or is nested deeper than allowed.</exception>
    public static Value FromJson(string json, int maxDepth = JsonValueReader.DefaultMaxDepth) => JsonValueReader.Parse(json, maxDepth);

    /// <summary>Parses UTF-8 JSON into a value.</summary>
    public static Value FromJson(ReadOnlySpan<byte> utf8Json, int maxDepth = JsonValueReader.DefaultMaxDepth) => JsonValueReader.Parse(utf8Json, maxDepth);

    /// <summary>Parses YAML text (core schema) into a value.</summary>
    /// <exception cref="ValueParseException">The text is not valid YAML or is nested deeper than allowed.</exception>
    public static Value FromYaml(string yaml, int maxDepth = JsonValueReader.DefaultMaxDepth) => YamlValueReader.Parse(yaml, maxDepth);

    /// <summary>Converts a plain .NET object graph (dictionaries, lists, primitives, strings) into a value.</summary>
    public static Value FromObject(object? value) => ObjectValueConverter.Convert(value);

    /// <summary>Serializes as JSON (sets become sorted arrays; non-string object keys become their Rego text).</summary>
    public string ToJson(bool indented = false) => JsonValueWriter.Write(this, indented);

    /// <summary>Writes the value as JSON.</summary>
    public void WriteJson(System.Text.Json.Utf8JsonWriter writer) => JsonValueWriter.Write(this, writer);

    /// <summary>The value as Rego source text, as OPA prints terms (<c>"a"</c>, <c>{1, 2}</c>, <c>set()</c>).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendRego(builder);
        return builder.ToString();
    }

    internal abstract void AppendRego(StringBuilder builder);

    public abstract bool Equals(Value? other);

    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    public abstract override int GetHashCode();

    /// <summary>OPA's total order over values.</summary>
    public int CompareTo(Value? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (ReferenceEquals(this, other))
        {
            return 0;
        }

        var kind = Kind;
        var otherKind = other.Kind;
        return kind != otherKind ? kind.CompareTo(otherKind) : CompareToSameKind(other);
    }

    private protected abstract int CompareToSameKind(Value other);

    public static bool operator ==(Value? left, Value? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Value? left, Value? right) => !(left == right);

    public static bool operator <(Value left, Value right) => left.CompareTo(right) < 0;

    public static bool operator >(Value left, Value right) => left.CompareTo(right) > 0;

    public static bool operator <=(Value left, Value right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Value left, Value right) => left.CompareTo(right) >= 0;

    /// <summary>The OPA type name of the value (<c>type_name</c> builtin).</summary>
    public string TypeName => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Boolean => "boolean",
        ValueKind.Number => "number",
        ValueKind.String => "string",
        ValueKind.Array => "array",
        ValueKind.Object => "object",
        ValueKind.Set => "set",
        _ => "unknown",
    };
}
