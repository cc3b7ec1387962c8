namespace Vigil.Policy.Builtins;

/// <summary>A simple type lattice for builtin signatures, used by the compiler's arity/type checks.</summary>
[Flags]
public enum ValueTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Number = 4,
    String = 8,
    Array = 16,
    Object = 32,
    Set = 64,
    Collection = Array | Object | Set,
    Any = Null | Boolean | Number | String | Array | Object | Set,
}
