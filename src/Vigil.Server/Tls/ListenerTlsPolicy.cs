using System.Net.Security;
using System.Security.Authentication;

namespace Vigil.Server.Tls;

/// <summary>
/// The protocol versions and cipher suites of the https listeners, set by Vigil on every handshake rather than left to
/// the system's OpenSSL configuration: a permissive <c>openssl.cnf</c> (<c>MinProtocol = TLSv1</c>,
/// <c>CipherString = DEFAULT@SECLEVEL=0</c>, or an <c>OPENSSL_CONF</c> pointing at one) must not let TLS 1.0 or a
/// CBC suite in. TLS 1.2 and 1.3 only; with TLS 1.2 only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305, none of
/// which is on RFC 9113's Appendix A list, so HTTP/2 (ALPN <c>h2</c>) is never negotiated over a suite it prohibits.
/// </summary>
/// <remarks>
/// A <see cref="CipherSuitesPolicy"/> costs something on Linux: .NET then builds a fresh OpenSSL context for each
/// handshake instead of reusing the certificate's cached one, so TLS session resumption is off and a full handshake
/// takes longer (figures in <c>docs/operations.md</c>, "Protocols and cipher suites"). Kept-alive connections pay
/// it once per connection.
/// </remarks>
internal static class ListenerTlsPolicy
{
    /// <summary>TLS 1.2 and TLS 1.3.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The suites offered, in order of preference: the three TLS 1.3 suites, then the TLS 1.2 AEAD suites with ECDHE.</summary>
    public static readonly IReadOnlyList<TlsCipherSuite> CipherSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    // Windows (SChannel) takes cipher suites from the operating system's policy and has no CipherSuitesPolicy.
    private static readonly CipherSuitesPolicy? Policy = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(CipherSuites);

    /// <summary>Sets the protocols and cipher suites on one handshake's options.</summary>
    public static void Apply(SslServerAuthenticationOptions options)
    {
        options.EnabledSslProtocols = Protocols;
        if (!OperatingSystem.IsWindows())
        {
            options.CipherSuitesPolicy = Policy;
        }
    }
}
