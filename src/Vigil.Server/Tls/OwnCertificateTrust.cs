using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Server.Tls;

/// <summary>
/// Certificate validation for Vigil's HTTPS calls to itself at <c>public_url</c>: the gateway's OIDC client fetching the
/// built-in provider's discovery document, keys and tokens, and <c>auth: jwt</c> routes whose issuer is the built-in
/// provider. A self-signed or private-CA listener certificate fails normal validation there, and sign-in with it.
/// </summary>
/// <remarks>
/// A server certificate is accepted when normal validation accepts it, or when all of these hold: the call goes to
/// the public URL's host, the certificate is exactly the one the https listeners present now (the
/// <see cref="ServerCertificateStore"/>'s, so a renewal is followed), and its only fault is its chain (an issuer this
/// machine does not trust, or an expiry the listener lives with); a name that does not match is still refused.
/// Presenting that certificate in a handshake takes the listener's private key, so no other server passes. Calls to
/// other hosts (external providers and issuers) are validated as usual, and without an https listener (TLS ended by a
/// proxy in front of Vigil) there is no own certificate and validation is the normal one.
/// </remarks>
internal sealed class OwnCertificateTrust
{
    private readonly string _host;
    private volatile ServerCertificateStore? _store;

    /// <param name="publicUrl">The URL the calls go to; only its host is compared (the handshake does not see the port).</param>
    public OwnCertificateTrust(Uri publicUrl) => _host = publicUrl.IdnHost.Trim('[', ']');

    /// <summary>Follows the listeners' certificate from now on (called when the store is created, before any request).</summary>
    public void Use(ServerCertificateStore store) => _store = store;

    /// <summary>A handler for back-channel calls (no proxy, no redirects, 10 s to connect) that validates with <see cref="Validate"/>.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
    };

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/>; <paramref name="sender"/> is the handshake's <see cref="SslStream"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None ||
        (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null &&
         sender is SslStream { TargetHostName: { } host } && string.Equals(host.Trim('[', ']'), _host, StringComparison.OrdinalIgnoreCase) &&
         _store?.Certificate is { } own && certificate.GetRawCertData().AsSpan().SequenceEqual(own.RawData));
}
