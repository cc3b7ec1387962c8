using System.Net;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// Sign-in over https with a listener certificate no system trust store knows (generated self-signed, or from a private
/// CA): the gateway's OIDC client calls the built-in provider at its own https public URL and must trust the
/// listener's certificate there; an external provider's certificate is still validated as usual.
/// </summary>
public sealed class TlsSignInTests
{
    [Fact]
    public async Task SignIn_HttpsWithGeneratedSelfSignedCertificate_ReachesTheProtectedUpstream()
    {
        await using var vigil = await VigilHarness.StartAsync(new HarnessOptions { Https = true });
        using var browser = vigil.Browser();

        // Protected page -> the provider's login page -> credentials -> back, signed in, at the upstream.
        var login = await browser.GetAsync("/home?marker=tls1");
        Assert.True(login.IsLoginPage, $"expected the login page, got {login.Status} {login.Url}");
        Assert.Equal("https", login.Url.Scheme);
        var page = await browser.SubmitAsync(login, "/.vigil/idp/login", new() { ["username"] = "alice", ["password"] = "alice-password-1" });
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("/home", page.Url.AbsolutePath);
        Assert.Contains("upstream alice@example.test", page.Html, StringComparison.Ordinal);
        Assert.Single(vigil.Upstream.Received, r => r.RawTarget.Contains("marker=tls1", StringComparison.Ordinal));

        // A bearer-token route whose issuer is this provider: its keys come from the same https public URL.
        var token = await vigil.ServiceTokenAsync();
        using var api = vigil.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports?marker=tls2");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(vigil.Upstream.Received, r => r.RawTarget.Contains("marker=tls2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_HttpsWithPrivateCaCertificate_ReachesTheProtectedUpstream()
    {
        var dir = Directory.CreateTempSubdirectory("vigil-private-ca-").FullName;
        try
        {
            using var pki = new TestPki("Private");
            var leaf = pki.Leaf("vigil.internal");
            File.WriteAllText(Path.Combine(dir, "fullchain.pem"), leaf.Chain);
            File.WriteAllText(Path.Combine(dir, "privkey.pem"), leaf.Key);
            await using var vigil = await VigilHarness.StartAsync(new HarnessOptions
            {
                Https = true,
                TlsYaml = $"tls: {{ certificate: {Path.Combine(dir, "fullchain.pem")}, key: {Path.Combine(dir, "privkey.pem")} }}",
                TrustedRoots = [pki.Root],
            });
            using var browser = vigil.Browser();
            var page = await browser.LoginAsync("/home?marker=ca1", "alice", "alice-password-1");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal("/home", page.Url.AbsolutePath);
            Assert.Contains("upstream alice@example.test", page.Html, StringComparison.Ordinal);
            Assert.Single(vigil.Upstream.Received, r => r.RawTarget.Contains("marker=ca1", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task SignIn_ExternalProviderWithAnUntrustedCertificate_IsStillRefused()
    {
        // A: a provider over https with its own self-signed certificate. B: a gateway over https (so it has a listener
        // certificate of its own to trust) whose sessions come from A; A's certificate is trusted by nobody on B's side.
        const string secret = "vigil-b-client-secret-0123456789";
        var portA = Ports.Free();
        var portB = Ports.Free();
        await using var a = await VigilHarness.StartAsync(new HarnessOptions
        {
            Port = portA,
            Https = true,
            IdentityYaml = $$"""
                identity:
                  builtin:
                    clients:
                      - { client_id: vigil-b, client_secret: {{secret}}, redirect_uris: ["https://127.0.0.1:{{portB}}/.vigil/signin-oidc"] }
                """,
        });
        await using var b = await VigilHarness.StartAsync(new HarnessOptions
        {
            Port = portB,
            Https = true,
            SeedAlice = false,
            IdentityYaml = $$"""
                identity:
                  builtin: false
                  provider: upstream-idp
                  external:
                    - { name: upstream-idp, issuer: "https://127.0.0.1:{{portA}}/", client_id: vigil-b, client_secret: {{secret}} }
                """,
        });

        // The browser trusts both: only B's back channel to A is under test.
        using var browser = new BrowserClient(b.BaseUrl, followRedirects: true, [.. b.TrustedRoots!, .. a.TrustedRoots!]);
        var page = await browser.GetAsync("/b-home?marker=ext-tls");
        Assert.False(page.IsLoginPage, $"B reached A's login page although A's certificate is not trusted: {page.Url}");
        Assert.Equal(portB, page.Url.Port);
        Assert.Equal(HttpStatusCode.InternalServerError, page.Status);
        Assert.DoesNotContain(b.Upstream.Received, r => r.RawTarget.Contains("marker=ext-tls", StringComparison.Ordinal));
    }
}
