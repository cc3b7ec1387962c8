using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Server.Tls;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// Listener certificates as ACME clients write them (PEM chain + key), with the intermediates sent in the handshake,
/// replaced without a restart when the files change, and refused at start-up with a clear error when unusable.
/// </summary>
public sealed class TlsCertificateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-cert-" + Guid.NewGuid().ToString("N")[..8]);

    public TlsCertificateTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private VigilConfig Config(int port, string extraTls = "") =>
        ConfigLoader.Parse($"server: {{ listen: [\"https://127.0.0.1:{port}\"], data_dir: ./data, tls: {{ certificate: fullchain.pem, key: privkey.pem{extraTls} }} }}", _dir);

    /// <summary>One request on a new connection; returns the certificate the server presented.</summary>
    private static async Task<X509Certificate2> HandshakeAsync(int port, X509Certificate2 root)
    {
        X509Certificate2? seen = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                // Only the root is trusted: the chain builds only if the server sends its intermediate.
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { root }, RevocationMode = X509RevocationMode.NoCheck },
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    seen = cert is null ? null : new X509Certificate2(cert);
                    return errors == SslPolicyErrors.None;
                },
            },
        });
        using var response = await client.GetAsync($"https://127.0.0.1:{port}/.vigil/health").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return seen!;
    }

    [Fact]
    public async Task PemChainAndKey_ServedWithTheIntermediate_AndReplacedWhenTheFilesChange()
    {
        using var pki = new TestPki("Test");
        var first = pki.Leaf("first.test");
        Write("fullchain.pem", first.Chain);
        Write("privkey.pem", first.Key);
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var port = Ports.Free();
        await using var server = VigilServer.Create(Config(port), new VigilServerOptions { TimeProvider = time });
        await server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(first.Leaf.Thumbprint, (await HandshakeAsync(port, pki.Root)).Thumbprint);

        var store = server.Services.GetRequiredService<ServerCertificateStore>();
        async Task<bool> NextCheckAsync()
        {
            var checkedOnce = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChecked(bool taken) => checkedOnce.TrySetResult(taken);
            store.Checked += OnChecked;
            time.Advance(ServerCertificateStore.CheckInterval);
            var taken = await checkedOnce.Task.WaitAsync(TimeSpan.FromSeconds(10));
            store.Checked -= OnChecked;
            return taken;
        }

        // Renewal: new files (written key first, as some clients do) are picked up by the next check.
        Assert.False(await NextCheckAsync());
        var second = pki.Leaf("second.test");
        Write("privkey.pem", second.Key);
        Write("fullchain.pem", second.Chain);
        Assert.True(await NextCheckAsync());
        Assert.Equal(second.Leaf.Thumbprint, (await HandshakeAsync(port, pki.Root)).Thumbprint);

        // A broken renewal (a key that is not the certificate's) keeps the certificate in use.
        Write("privkey.pem", pki.Leaf("third.test").Key);
        Assert.False(await NextCheckAsync());
        Assert.Equal(second.Leaf.Thumbprint, (await HandshakeAsync(port, pki.Root)).Thumbprint);

        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Config_PemWithoutKey_IsRefusedWithLocation()
    {
        using var pki = new TestPki("Test");
        Write("fullchain.pem", pki.Leaf("a.test").Chain);
        var ex = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse("server:\n  listen: [\"https://127.0.0.1:1\"]\n  tls:\n    certificate: fullchain.pem\n", _dir));
        Assert.Contains(ex.Errors, e => e.Path == "server.tls.certificate" && e.Line == 4 && e.Message.Contains("no private key", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_KeyOfAnotherCertificate_IsRefused()
    {
        using var pki = new TestPki("Test");
        Write("fullchain.pem", pki.Leaf("a.test").Chain);
        Write("privkey.pem", pki.Leaf("b.test").Key);
        var ex = Assert.Throws<ConfigException>(() => Config(1));
        Assert.Contains(ex.Errors, e => e.Path == "server.tls.certificate" && e.Message.Contains("does not belong", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_Pkcs12WithWrongPassword_IsRefused()
    {
        using var pki = new TestPki("Test");
        var leaf = pki.Leaf("a.test");
        using var key = ECDsa.Create();
        key.ImportFromPem(leaf.Key);
        using var withKey = leaf.Leaf.CopyWithPrivateKey(key);
        File.WriteAllBytes(Path.Combine(_dir, "site.pfx"), withKey.Export(X509ContentType.Pkcs12, "right-password"));
        var ex = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse("server:\n  listen: [\"https://127.0.0.1:1\"]\n  tls: { certificate: site.pfx, password: wrong-password }\n", _dir));
        Assert.Contains(ex.Errors, e => e.Path == "server.tls.certificate" && e.Message.Contains("wrong password", StringComparison.Ordinal));
        var ok = ConfigLoader.Parse("server:\n  listen: [\"https://127.0.0.1:1\"]\n  tls: { certificate: site.pfx, password: right-password }\n", _dir);
        Assert.NotNull(ok.Server.Tls);
    }

    [Fact]
    public void Config_KeyWithoutCertificateOrMissingFiles_AreRefusedTogether()
    {
        var ex = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse("server:\n  listen: [\"https://127.0.0.1:1\"]\n  tls: { key: missing.pem }\n", _dir));
        Assert.Contains(ex.Errors, e => e.Path == "server.tls.certificate");
        Assert.Contains(ex.Errors, e => e.Path == "server.tls.key" && e.Message.Contains("does not exist", StringComparison.Ordinal));
    }
}
