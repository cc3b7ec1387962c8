using Vigil.Server.Identity.WebAuthn;

namespace Vigil.Server.Tests.Identity;

public sealed class WebAuthnRelyingPartyTests
{
    [Theory]
    [InlineData("http://localhost:8080/", "localhost", "http://localhost:8080")]
    [InlineData("https://Login.Example.COM/", "login.example.com", "https://login.example.com")]
    [InlineData("https://login.example.com:8443", "login.example.com", "https://login.example.com:8443")]
    public void FromPublicUrl_HostName_IsRpIdAndOrigin(string url, string rpId, string origin)
    {
        var rp = WebAuthnRelyingParty.FromPublicUrl(new Uri(url));
        Assert.NotNull(rp);
        Assert.Equal(rpId, rp.Id);
        Assert.Equal(origin, rp.Origin);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("https://[::1]:8443/")]
    [InlineData("https://10.0.0.5/")]
    public void FromPublicUrl_IpAddress_HasNoRelyingParty(string url) =>
        Assert.Null(WebAuthnRelyingParty.FromPublicUrl(new Uri(url)));
}
