namespace Vigil.Policy.Builtins;

internal static partial class StandardBuiltins
{
    static partial void RegisterCore(BuiltinTable table)
    {
    }
}
