namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>crypto.x509.*</c> certificate builtins.</summary>
internal static class X509Builtins
{
    public static void Register(BuiltinTable table)
    {
        _ = table;
    }
}
