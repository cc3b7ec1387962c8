namespace Vigil.Policy.Builtins;

/// <summary>Registers every namespace file's builtins. Each namespace file adds a call here.</summary>
internal static partial class StandardBuiltins
{
    public static void RegisterAll(BuiltinTable table)
    {
        RegisterCore(table);
        RegisterSecurity(table);
    }

    /// <summary>Language-level and data builtins (comparison, arithmetic, strings, collections, encoding, ...).</summary>
    static partial void RegisterCore(BuiltinTable table);

    /// <summary>Time, networks, crypto, x509 and JWT builtins.</summary>
    static partial void RegisterSecurity(BuiltinTable table);
}
