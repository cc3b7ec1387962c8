namespace Vigil.Policy.Values;

/// <summary>The kinds of Rego values, in OPA's sort order (null sorts first, sets last).</summary>
public enum ValueKind
{
    Null = 0,
    Boolean = 1,
    Number = 2,
    String = 3,
    Array = 4,
    Object = 5,
    Set = 6,
}
