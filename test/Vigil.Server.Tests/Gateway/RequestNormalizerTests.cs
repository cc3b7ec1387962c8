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
    [InlineData("[0:0::1]", "[::1]")]
    [InlineData("[::FFFF:127.0.0.1]", "[::ffff:127.0.0.1]")]
    [InlineData("127.0.0.1:5000", "127.0.0.1")]
    [InlineData("10.0.0.255", "10.0.0.255")]
    [InlineData("127.0.0.1.", "127.0.0.1")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("a-b.c1", "a-b.c1")]
    [InlineData("localhost", "localhost")]
    public void NormalizeHost_Variants_AreCanonical(string header, string expected) =>
        Assert.Equal(expected, HostNormalizer.Normalize(header));

    [Theory]
    [InlineData("")]
    [InlineData("evil.com@app.example.com")]
    [InlineData("app.example.com:abc")]
    [InlineData("app example.com")]
    [InlineData("app.example.com:80:80")]
    [InlineData("app_example.com")]
    [InlineData("[::1")]
    [InlineData("admin.example.test..")]
    [InlineData("admin.example.test..:443")]
    [InlineData("ADMIN.EXAMPLE.TEST..")]
    [InlineData("admin..example.test")]
    [InlineData(".admin.example.test")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("-admin.test")]
    [InlineData("admin-.test")]
    [InlineData("app.example.com:")]
    [InlineData("app.example.com:65536")]
    [InlineData("app.example.com:+80")]
    [InlineData("127.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("[1.2.3.4]")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[fe80::1%eth0]")]
    [InlineData("[::1]x")]
    [InlineData("ädmin.test")]
    [InlineData("admin.test\0")]
    public void NormalizeHost_Malformed_IsRefused(string header) => Assert.Null(HostNormalizer.Normalize(header));

    [Fact]
    public void NormalizeHost_LongNames_FollowDnsLimits()
    {
        Assert.NotNull(HostNormalizer.Normalize(new string('a', 63) + ".test"));
        Assert.Null(HostNormalizer.Normalize(new string('a', 64) + ".test"));
        var name = string.Join('.', Enumerable.Repeat(new string('b', 49), 5)) + ".test"; // 254 characters
        Assert.Null(HostNormalizer.Normalize(name));
    }

    [Theory]
    [InlineData("/admin.", "TrailingDotOrSpace")]
    [InlineData("/admin./x", "TrailingDotOrSpace")]
    [InlineData("/admin%20/x", "TrailingDotOrSpace")]
    [InlineData("/admin%2e/x", "TrailingDotOrSpace")]
    [InlineData("/a/b...", "TrailingDotOrSpace")]
    [InlineData("/%c0%ae%c0%ae/admin", "InvalidUtf8")]
    [InlineData("/%c0%af", "InvalidUtf8")]
    [InlineData("/%e0%80%ae", "InvalidUtf8")]
    [InlineData("/%ed%a0%80", "InvalidUtf8")]
    [InlineData("/%f4%90%80%80", "InvalidUtf8")]
    [InlineData("/caf%c3", "InvalidUtf8")]
    [InlineData("/%e9t%e9", "InvalidUtf8")]
    [InlineData("/%EF%BD%81dmin", "LookAlike")]
    [InlineData("/adm%C4%B1n", "LookAlike")]
    [InlineData("/%C5%BFecret", "LookAlike")]
    [InlineData("/%E2%84%AAey", "LookAlike")]
    [InlineData("/a%E2%80%A4b", "LookAlike")]
    [InlineData("/%EF%BC%8Fadmin", "LookAlike")]
    [InlineData("/x%C2%A0", "LookAlike")]
    [InlineData("/%EF%AC%81le", "LookAlike")]
    public void Normalize_PathsUpstreamsReadDifferently_AreMarkedUnusual(string raw, string reason)
    {
        var result = RequestNormalizer.Normalize(raw);
        Assert.True(result.IsValid, result.Reject.ToString());
        Assert.Equal(reason, result.Unusual.ToString());
    }

    [Theory]
    [InlineData("/caf%c3%a9")]
    [InlineData("/stra%C3%9Fe")]
    [InlineData("/%E6%97%A5%E6%9C%AC")]
    [InlineData("/%F0%9F%98%80")]
    [InlineData("/.well-known/x")]
    [InlineData("/file.txt")]
    [InlineData("/a%20b")]
    [InlineData("/v1.2/x")]
    public void Normalize_OrdinaryPaths_AreNotUnusual(string raw) => Assert.Equal(RejectReason.None, RequestNormalizer.Normalize(raw).Unusual);

    [Theory]
    [InlineData("/admin.", "/admin")]
    [InlineData("/admin.%20./x.", "/admin/x")]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/", "/")]
    public void TrimSegmentEnds_ReadsThePathAsWindowsDoes(string path, string expected) => Assert.Equal(expected, RequestNormalizer.TrimSegmentEnds(path));

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
    [InlineData("X-Forwarded-Scheme")]
    [InlineData("X-Forwarded-Uri")]
    [InlineData("X-Forwarded")]
    [InlineData("X-Original-Uri")]
    [InlineData("X-Original-Method")]
    [InlineData("X-Rewrite-Url")]
    [InlineData("X-Host")]
    [InlineData("X-Remote-Addr")]
    [InlineData("X-Originating-IP")]
    [InlineData("Client-IP")]
    [InlineData("X-ProxyUser-Ip")]
    [InlineData("X-Auth-User")]
    [InlineData("x_auth_token")]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    [InlineData("CF-Connecting-IP")]
    [InlineData("Cf-Access-Jwt-Assertion")]
    [InlineData("X-Envoy-Internal")]
    [InlineData("X-SSL-Client-Cert")]
    [InlineData("X-ARR-ClientCert")]
    [InlineData("X-WEBAUTH-USER")]
    [InlineData("X-Goog-IAP-JWT-Assertion")]
    public void IsReserved_IdentityHeaderSpellings_AreReserved(string name) => Assert.True(IdentityHeaders.IsReserved(name));

    [Theory]
    [InlineData("Accept")]
    [InlineData("X-Request-Id")]
    [InlineData("Authorization")]
    [InlineData("X-Requested-With")]
    [InlineData("X-CSRF-Token")]
    [InlineData("X-Amz-Date")]
    [InlineData("User-Agent")]
    [InlineData("X")]
    [InlineData("x-")]
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
