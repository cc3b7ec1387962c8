using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vigil.Server.Configuration;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>
/// https upstreams: Vigil's forwarder verifies the upstream's certificate, against the system's trusted CAs or, with
/// <c>upstream_ca</c>, against the route's own CAs; an upstream it cannot verify gets nothing (502).
/// </summary>
public sealed class UpstreamTlsTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vigil-upstream-tls-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _upstream = null!;
    private VigilHarness _vigil = null!;
    private int _received;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = NewCa("CN=Vigil test upstream CA", caKey);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = NewCa("CN=Some other CA", otherKey);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "other-ca.pem"), otherCa.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(30), [1, 2, 3, 4]);
        var serverCert = X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(serverKey).Export(X509ContentType.Pkcs12), null);

        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.UseHttps(serverCert)));
        _upstream = builder.Build();
        _upstream.Run(context =>
        {
            Interlocked.Increment(ref _received);
            return context.Response.WriteAsync("over tls");
        });
        await _upstream.StartAsync();

        var url = $"https://127.0.0.1:{port}";
        _vigil = await VigilHarness.StartAsync(new HarnessOptions
        {
            SeedAlice = false,
            ExtraRoutes = $$"""
                  - { name: tls-ok, path: /tls-ok, upstreams: [{{url}}], upstream_ca: {{Path.Combine(_dir, "ca.pem")}}, resource: { name: t1, classification: public }, auth: public }
                  - { name: tls-system, path: /tls-system, upstreams: [{{url}}], resource: { name: t2, classification: public }, auth: public }
                  - { name: tls-other, path: /tls-other, upstreams: [{{url}}], upstream_ca: {{Path.Combine(_dir, "other-ca.pem")}}, resource: { name: t3, classification: public }, auth: public }
                """,
        });
    }

    private static X509Certificate2 NewCa(string name, ECDsa key)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));
    }

    [Fact]
    public async Task Forward_HttpsUpstreamSignedByRouteCa_IsReached()
    {
        using var api = _vigil.Api();
        using var response = await api.GetAsync("/tls-ok/page");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("over tls", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/tls-system/page")]
    [InlineData("/tls-other/page")]
    public async Task Forward_HttpsUpstreamNotTrusted_GetsNothing(string path)
    {
        var before = Volatile.Read(ref _received);
        using var api = _vigil.Api();
        using var response = await api.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(before, Volatile.Read(ref _received));
    }

    [Fact]
    public void Parse_UpstreamCaMistakes_AreListedWithLocations()
    {
        var notPem = Path.Combine(_dir, "not.pem");
        File.WriteAllText(notPem, "hello");
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"""
            server: {"{"} listen: [http://127.0.0.1:1] {"}"}
            routes:
              - {"{"} name: a, path: /a, upstreams: [http://127.0.0.1:9], upstream_ca: {Path.Combine(_dir, "ca.pem")} {"}"}
              - {"{"} name: b, path: /b, upstreams: [https://127.0.0.1:9], upstream_ca: {Path.Combine(_dir, "missing.pem")} {"}"}
              - {"{"} name: c, path: /c, upstreams: [https://127.0.0.1:9], upstream_ca: {notPem} {"}"}
            """, _dir));
        Assert.Contains(ex.Errors, e => e.Path == "routes[0].upstream_ca" && e.Line == 3 && e.Message.Contains("https", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "routes[1].upstream_ca" && e.Line == 4 && e.Message.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "routes[2].upstream_ca" && e.Line == 5 && e.Message.Contains("no PEM certificate", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _vigil.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
