using Vigil.Server.Identity;

namespace Vigil.Server.Tests.Identity;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("//evil.test/x")]
    [InlineData("/\\evil.test")]
    [InlineData("https://evil.test/")]
    [InlineData("%2F%2Fevil.test")]
    [InlineData("/%2F%2Fevil.test")]
    [InlineData("/%5Cevil.test")]
    [InlineData("/%252F%252Fevil.test")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/\tevil")]
    [InlineData("")]
    public void IsLocalPath_OpenRedirectVariants_AreRefused(string url) => Assert.False(ReturnUrls.IsLocalPath(url));

    [Theory]
    [InlineData("/")]
    [InlineData("/app/page?x=1")]
    public void IsLocalPath_LocalPaths_AreAccepted(string url) => Assert.True(ReturnUrls.IsLocalPath(url));

    [Fact]
    public void IsAuthorizeUrl_OnlyTheProvidersAuthorizeEndpoint_IsAccepted()
    {
        Assert.True(ReturnUrls.IsAuthorizeUrl("/.vigil/idp/authorize?client_id=x"));
        Assert.False(ReturnUrls.IsAuthorizeUrl("/app"));
        Assert.False(ReturnUrls.IsAuthorizeUrl("//evil.test/.vigil/idp/authorize?x"));
    }
}
