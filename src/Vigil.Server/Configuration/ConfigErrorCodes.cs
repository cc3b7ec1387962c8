namespace Vigil.Server.Configuration;

/// <summary>Stable configuration error codes.</summary>
public static class ConfigErrorCodes
{
    public const string Syntax = "config_syntax";
    public const string Missing = "config_missing";
    public const string UnknownKey = "config_unknown_key";
    public const string Invalid = "config_invalid";
    public const string Duplicate = "config_duplicate";
    public const string Insecure = "config_insecure";
    public const string Policy = "config_policy";
}
