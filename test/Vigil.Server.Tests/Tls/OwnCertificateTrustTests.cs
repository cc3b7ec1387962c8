using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Server.Configuration;
using Vigil.Server.Tls;

namespace Vigil.Server.Tests.Tls;

/// <summary>
/// Which server certificates Vigil's calls to its own public URL accept, over real TLS handshakes on loopback: the
/// listener's current certificate (renewals followed) at the public URL's host, and otherwise only what normal
/// validation accepts.
/// </summary>
public sealed class OwnCertificateTrustTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-own-trust-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A self-signed server certificate for <paramref name="names"/> (DNS names or IP addresses).</summary>
    private static X509Certificate2 SelfSigned(string subject, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes <paramref name="certificate"/> as the listener's PEM files and returns their configuration.</summary>
    private TlsConfig WriteListenerFiles(X509Certificate2 certificate)
    {
        var tls = new TlsConfig(Path.Combine(_dir, "fullchain.pem"), null, Path.Combine(_dir, "privkey.pem"));
        File.WriteAllText(tls.Key!, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(tls.Certificate!, certificate.ExportCertificatePem());
        return tls;
    }

    private ServerCertificateStore Store(X509Certificate2 certificate)
    {
        var tls = WriteListenerFiles(certificate);
        return new ServerCertificateStore(ServerCertificate.Load(tls), tls, TimeProvider.System, NullLogger<ServerCertificateStore>.Instance);
    }

    /// <summary>One handshake to a server presenting <paramref name="presented"/>, for <paramref name="targetHost"/>; true when the client accepted it.</summary>
    private static async Task<bool> AcceptsAsync(OwnCertificateTrust trust, X509Certificate2 presented, string targetHost)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverSide = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var server = new SslStream(accepted.GetStream());
            try
            {
                await server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = presented });
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                // The client refused the certificate.
            }
        });

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        await using var ssl = new SslStream(client.GetStream());
        bool accepted;
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = targetHost, RemoteCertificateValidationCallback = trust.Validate })
                .WaitAsync(TimeSpan.FromSeconds(10));
            accepted = true;
        }
        catch (AuthenticationException)
        {
            accepted = false;
        }

        client.Close();
        await serverSide.WaitAsync(TimeSpan.FromSeconds(10));
        return accepted;
    }

    [Fact]
    public async Task ListenersCertificate_AtThePublicHost_IsAccepted_AnotherSelfSignedOneIsNot()
    {
        using var own = SelfSigned("own", "127.0.0.1", "localhost");
        using var other = SelfSigned("other", "127.0.0.1", "localhost");
        var trust = new OwnCertificateTrust(new Uri("https://127.0.0.1:8443/"));
        trust.Use(Store(own));

        Assert.True(await AcceptsAsync(trust, own, "127.0.0.1"));
        Assert.False(await AcceptsAsync(trust, other, "127.0.0.1"));
    }

    [Fact]
    public async Task ListenersCertificate_AtAnotherHost_IsNotAccepted()
    {
        // The certificate names both hosts, so only the host the call goes to decides: not the public URL's.
        using var own = SelfSigned("own", "127.0.0.1", "localhost");
        var trust = new OwnCertificateTrust(new Uri("https://127.0.0.1:8443/"));
        trust.Use(Store(own));

        Assert.False(await AcceptsAsync(trust, own, "localhost"));
    }

    [Fact]
    public async Task ListenersCertificate_WithoutThePublicHostsName_IsNotAccepted()
    {
        using var own = SelfSigned("own", "other.test");
        var trust = new OwnCertificateTrust(new Uri("https://vigil.test/"));
        trust.Use(Store(own));

        Assert.False(await AcceptsAsync(trust, own, "vigil.test"));

        // The same certificate where the public URL is one of its names.
        var atItsName = new OwnCertificateTrust(new Uri("https://other.test/"));
        atItsName.Use(Store(own));
        Assert.True(await AcceptsAsync(atItsName, own, "other.test"));
    }

    [Fact]
    public async Task RenewedCertificate_IsAcceptedFromTheNextCheck_AndTheOldOneNoLonger()
    {
        using var first = SelfSigned("first", "vigil.test");
        using var second = SelfSigned("second", "vigil.test");
        var trust = new OwnCertificateTrust(new Uri("https://VIGIL.test:8443/"));
        var store = Store(first);
        trust.Use(store);
        Assert.True(await AcceptsAsync(trust, first, "vigil.test"));
        Assert.False(await AcceptsAsync(trust, second, "vigil.test"));

        WriteListenerFiles(second);
        Assert.True(store.Check());
        Assert.True(await AcceptsAsync(trust, second, "vigil.test"));
        Assert.False(await AcceptsAsync(trust, first, "vigil.test"));
    }

    [Fact]
    public async Task WithoutAnHttpsListener_NothingBeyondNormalValidationIsAccepted()
    {
        using var own = SelfSigned("own", "127.0.0.1");
        var trust = new OwnCertificateTrust(new Uri("https://127.0.0.1:8443/"));

        Assert.False(await AcceptsAsync(trust, own, "127.0.0.1"));
    }
}
