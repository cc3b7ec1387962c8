namespace Vigil.Server.Sessions;

/// <summary>Authentication scheme names.</summary>
internal static class SessionSchemes
{
    /// <summary>The gateway session cookie.</summary>
    public const string Cookie = "vigil.session";

    /// <summary>The OIDC client that creates gateway sessions.</summary>
    public const string Oidc = "vigil.oidc";

    /// <summary>The built-in provider's own login cookie (path /.vigil/idp only).</summary>
    public const string IdpCookie = "vigil.idp";

    public const string CallbackPath = "/.vigil/signin-oidc";
    public const string SessionIdClaim = "vigil_sid";
    public const string MfaTimeClaim = "vigil_mfa_time";
    public const string StepUpMaxAgeItem = "vigil.max_age";
    public const string GatewayClientId = "vigil-gateway";
}
