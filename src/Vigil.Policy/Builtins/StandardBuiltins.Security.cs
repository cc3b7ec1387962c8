namespace Vigil.Policy.Builtins;

internal static partial class StandardBuiltins
{
    static partial void RegisterSecurity(BuiltinTable table)
    {
        TimeBuiltins.Register(table);
        NetBuiltins.Register(table);
        CryptoBuiltins.Register(table);
        X509Builtins.Register(table);
        JwtBuiltins.Register(table);
        ProvidersBuiltins.Register(table);
    }
}
