using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Vigil.Server.Tls;

namespace Vigil.Server.Tests.Tls;

/// <summary>The listeners' protocol and cipher suite list, checked against RFC 9113's list of suites HTTP/2 prohibits.</summary>
public sealed partial class ListenerTlsPolicyTests
{
    private static HashSet<string> Rfc9113Prohibited() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Tls", "rfc9113-appendix-a.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void CipherSuites_NoneIsOnRfc9113AppendixA()
    {
        var prohibited = Rfc9113Prohibited();
        Assert.Equal(276, prohibited.Count); // the whole appendix, so a truncated copy cannot pass
        Assert.Contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", prohibited);
        Assert.All(ListenerTlsPolicy.CipherSuites, s => Assert.DoesNotContain(s.ToString(), prohibited));
    }

    [Fact]
    public void CipherSuites_AreTls13OrEcdheWithAead_AndIncludeTheSuiteHttp2Requires()
    {
        Assert.All(ListenerTlsPolicy.CipherSuites, s => Assert.Matches(AllowedName(), s.ToString()));

        // RFC 9113, 9.2.2: HTTP/2 deployments over TLS 1.2 MUST support this one.
        Assert.Contains(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ListenerTlsPolicy.CipherSuites);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, ListenerTlsPolicy.Protocols);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")] // SChannel has no cipher suite policy; the suites are the system's there
    public void Apply_SetsProtocolsAndSuitesOnTheHandshake()
    {
        var options = new SslServerAuthenticationOptions();
        ListenerTlsPolicy.Apply(options);
        Assert.Equal(ListenerTlsPolicy.Protocols, options.EnabledSslProtocols);
        Assert.NotNull(options.CipherSuitesPolicy);
        Assert.Equal(ListenerTlsPolicy.CipherSuites, options.CipherSuitesPolicy!.AllowedCipherSuites);
    }

    [GeneratedRegex("^(TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)|TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256))$")]
    private static partial Regex AllowedName();
}
