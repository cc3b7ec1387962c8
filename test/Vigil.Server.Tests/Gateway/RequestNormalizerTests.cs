using System.Net;
using Vigil.Server.Gateway;

namespace Vigil.Server.Tests.Gateway;

public sealed class RequestNormalizerTests
{
    [Theory]
    [InlineData("/a/b?x=1", "/a/b", "?x=1")]
    [InlineData("/%61dmin", "/admin", "")]
    [InlineData("/caf%c3%a9", "/caf%C3%A9", "")]
    [InlineData("/a%20b", "/a%20b", "")]
    [InlineData("/a/", "/a/", "")]
    [InlineData("/", "/", "")]
    public void Normalize_UnambiguousTarget_IsAccepted(string raw, string path, string query)
    {
        var result = RequestNormalizer.Normalize(raw);
        Assert.True(result.IsValid, result.Reject.ToString());
        Assert.Equal(path, result.Path);
        Assert.Equal(query, result.Query);
    }

    [Theory]
    [InlineData("//admin", "EmptySegment")]
    [InlineData("/public//admin", "EmptySegment")]
    [InlineData("/public/./admin", "DotSegment")]
    [InlineData("/public/../admin", "DotSegment")]
    [InlineData("/public/%2e%2e/admin", "DotSegment")]
    [InlineData("/public/%2E%2E/admin", "DotSegment")]
    [InlineData("/public/.%2e/admin", "DotSegment")]
    [InlineData("/public/..", "DotSegment")]
    [InlineData("/public%2F..%2Fadmin", "EncodedSeparator")]
    [InlineData("/public/..%2fadmin", "EncodedSeparator")]
    [InlineData("/public/..%5Cadmin", "EncodedSeparator")]
    [InlineData("/public/..\\admin", "Backslash")]
    [InlineData("/public;/../admin", "PathParameter")]
    [InlineData("/admin;jsessionid=1", "PathParameter")]
    [InlineData("/public/%3b/admin", "PathParameter")]
    [InlineData("/public/%252e%252e/admin", "DoubleEncoding")]
    [InlineData("/admin%00.html", "EncodedNul")]
    [InlineData("/admin#x", "Fragment")]
    [InlineData("/a?b=%00", "EncodedNul")]
    [InlineData("/a%zz", "BadPercentEncoding")]
    [InlineData("/a%2", "BadPercentEncoding")]
    [InlineData("http://evil/admin", "NotOriginForm")]
    [InlineData("*", "NotOriginForm")]
    [InlineData("/a\u0001b", "ControlCharacter")]
    [InlineData("/adm\u00efn", "ControlCharacter")]
    public void Normalize_AmbiguousTarget_IsRejected(string raw, string reason)
    {
        Assert.Equal(reason, RequestNormalizer.Normalize(raw).Reject.ToString());
    }

    [Theory]
    [InlineData("App.Example.com", "app.example.com")]
    [InlineData("app.example.com.", "app.example.com")]
    [InlineData("app.example.com:8443", "app.example.com")]
    [InlineData("app.example.com.:8443", "app.example.com")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("127.0.0.1:5000", "127.0.0.1")]
    public void NormalizeHost_Variants_AreCanonical(string header, string expected) =>
        Assert.Equal(expected, RequestNormalizer.NormalizeHost(header));

    [Theory]
    [InlineData("")]
    [InlineData("evil.com@app.example.com")]
    [InlineData("app.example.com:abc")]
    [InlineData("app example.com")]
    [InlineData("app.example.com:80:80")]
    [InlineData("app_example.com")]
    [InlineData("[::1")]
    public void NormalizeHost_Malformed_IsRefused(string header) => Assert.Null(RequestNormalizer.NormalizeHost(header));

    [Theory]
    [InlineData("X-Vigil-User")]
    [InlineData("x-vigil-user")]
    [InlineData("X_Vigil_User")]
    [InlineData("x_vigil-assertion")]
    [InlineData("X-Forwarded-User")]
    [InlineData("X_Forwarded_For")]
    [InlineData("Remote-User")]
    [InlineData("X-Real-IP")]
    [InlineData("Forwarded")]
    public void IsReserved_IdentityHeaderSpellings_AreReserved(string name) => Assert.True(IdentityHeaders.IsReserved(name));

    [Theory]
    [InlineData("Accept")]
    [InlineData("X-Request-Id")]
    [InlineData("Authorization")]
    public void IsReserved_OrdinaryHeaders_AreKept(string name) => Assert.False(IdentityHeaders.IsReserved(name));

    [Fact]
    public void Resolve_UntrustedPeer_IgnoresForwardedFor()
    {
        var ip = ClientAddressResolver.Resolve(IPAddress.Parse("198.51.100.7"), [], ["10.9.9.9"]);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), ip);
    }

    [Fact]
    public void Resolve_TrustedProxy_TakesRightmostUntrustedAddress()
    {
        IPNetwork[] trusted = [IPNetwork.Parse("10.0.0.0/8")];
        var ip = ClientAddressResolver.Resolve(IPAddress.Parse("10.0.0.2"), trusted, ["1.1.1.1, 203.0.113.9, 10.0.0.3"]);
        Assert.Equal(IPAddress.Parse("203.0.113.9"), ip);
    }

    [Fact]
    public void Resolve_TrustedProxyWithGarbage_StopsAtLastVouchedAddress()
    {
        IPNetwork[] trusted = [IPNetwork.Parse("10.0.0.0/8")];
        var ip = ClientAddressResolver.Resolve(IPAddress.Parse("10.0.0.2"), trusted, ["not-an-ip"]);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), ip);
    }
}
