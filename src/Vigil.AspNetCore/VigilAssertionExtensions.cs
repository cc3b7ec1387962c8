using Microsoft.AspNetCore.Authentication;

namespace Vigil.AspNetCore;

/// <summary>Registration of the Vigil assertion scheme.</summary>
public static class VigilAssertionExtensions
{
    /// <summary>Adds the scheme under <see cref="VigilAssertionDefaults.AuthenticationScheme"/>.</summary>
    public static AuthenticationBuilder AddVigilAssertion(this AuthenticationBuilder builder, Action<VigilAssertionOptions> configure) =>
        builder.AddVigilAssertion(VigilAssertionDefaults.AuthenticationScheme, configure);

    /// <summary>Adds the scheme under <paramref name="scheme"/>.</summary>
    public static AuthenticationBuilder AddVigilAssertion(this AuthenticationBuilder builder, string scheme, Action<VigilAssertionOptions> configure) =>
        builder.AddScheme<VigilAssertionOptions, VigilAssertionHandler>(scheme, configure);
}
