using System.Net;
using System.Security.Cryptography.X509Certificates;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

public sealed class TlsTests
{
    [Fact]
    public async Task HttpsListenerWithoutCertificate_ServesWithGeneratedDevelopmentCertificate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "vigil-tls-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var port = Ports.Free();
        var config = ConfigLoader.Parse($"server: {{ listen: [\"https://127.0.0.1:{port}\"], data_dir: ./data }}", dir);
        var server = VigilServer.Create(config);
        await using (server)
        {
            await server.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            X509Certificate2? seen = null;
            using var client = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => { seen = cert is null ? null : new X509Certificate2(cert); return true; } },
            });
            using var response = await client.GetAsync($"https://127.0.0.1:{port}/.vigil/health").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotNull(seen);
            Assert.Contains("Vigil development certificate", seen!.Subject, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dir, "data", "tls-dev.pfx")));

            // Sign-in pages over https forbid a later downgrade to plain http.
            using var login = await client.GetAsync($"https://127.0.0.1:{port}/.vigil/idp/login").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("max-age=31536000", login.Headers.TryGetValues("Strict-Transport-Security", out var hsts) ? string.Join(",", hsts) : null);
            await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Directory.Delete(dir, true);
    }
}
