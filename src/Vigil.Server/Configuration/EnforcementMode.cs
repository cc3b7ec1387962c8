namespace Vigil.Server.Configuration;

/// <summary>Whether a route's denials are enforced or only logged.</summary>
public enum EnforcementMode
{
    Enforce,
    Audit,
}
