namespace Vigil.Server.Configuration;

/// <summary>How a route's callers authenticate.</summary>
public enum AuthMode
{
    Session,
    Jwt,
    Public,
}
