using Microsoft.AspNetCore.Authentication;

namespace Vigil.AspNetCore;

/// <summary>Options of the Vigil assertion scheme. <see cref="Issuer"/> and <see cref="Audience"/> are required.</summary>
public sealed class VigilAssertionOptions : AuthenticationSchemeOptions
{
    /// <summary>Vigil's public URL (the <c>iss</c> of assertions), e.g. <c>https://vigil.example.com/</c>.</summary>
    public Uri? Issuer { get; set; }

    /// <summary>The route name this application is published under (the <c>aud</c> of assertions).</summary>
    public string? Audience { get; set; }

    /// <summary>Where Vigil publishes the assertion keys. Default: <c>{Issuer}.vigil/jwks</c>.</summary>
    public Uri? JwksUri { get; set; }

    /// <summary>Allowed clock difference. Default: 30 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP client used to fetch the keys. Default: a new client.</summary>
    public HttpClient? Backchannel { get; set; }

    public override void Validate()
    {
        base.Validate();
        if (Issuer is null || !Issuer.IsAbsoluteUri)
        {
            throw new InvalidOperationException("VigilAssertionOptions.Issuer must be Vigil's absolute public URL.");
        }

        if (string.IsNullOrEmpty(Audience))
        {
            throw new InvalidOperationException("VigilAssertionOptions.Audience must be the route name this application is published under.");
        }

        var keys = JwksUri ?? Issuer;
        if (keys.Scheme != Uri.UriSchemeHttps && !keys.IsLoopback)
        {
            throw new InvalidOperationException("Vigil's keys must be fetched over https (plain http only on loopback).");
        }
    }
}
