namespace Vigil.Policy.Values;

/// <summary>JSON (or YAML) input could not be turned into a value.</summary>
public sealed class ValueParseException : Exception
{
    public ValueParseException(string message)
        : base(message)
    {
    }

    public ValueParseException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
