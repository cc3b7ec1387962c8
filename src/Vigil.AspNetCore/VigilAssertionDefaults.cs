namespace Vigil.AspNetCore;

/// <summary>Names used by the Vigil assertion authentication scheme.</summary>
public static class VigilAssertionDefaults
{
    /// <summary>The default scheme name.</summary>
    public const string AuthenticationScheme = "VigilAssertion";

    /// <summary>The header carrying the gateway's ES256 identity assertion.</summary>
    public const string HeaderName = "X-Vigil-Assertion";
}
