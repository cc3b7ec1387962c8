using System.Net;
using System.Text.Json;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>A second Vigil instance whose sessions come from the first instance's provider (external OIDC by issuer, client id, secret).</summary>
public sealed class ExternalProviderTests
{
    [Fact]
    public async Task SecondInstance_LogsInThroughFirstInstancesProvider()
    {
        var portB = Ports.Free();
        const string secret = "vigil-b-client-secret-0123456789";
        var portA = Ports.Free();
        await using var a = await VigilHarness.StartAsync(new HarnessOptions
        {
            Port = portA,
            IdentityYaml = $$"""
                identity:
                  builtin:
                    clients:
                      - { client_id: vigil-b, client_secret: {{secret}}, redirect_uris: ["http://127.0.0.1:{{portB}}/.vigil/signin-oidc"] }
                """,
        });
        await a.AddUserAsync("xena", "xena-password-1", ["engineer"], ["partners"]);
        await using var b = await VigilHarness.StartAsync(new HarnessOptions
        {
            Port = portB,
            SeedAlice = false,
            IdentityYaml = $$"""
                identity:
                  builtin: false
                  provider: upstream-idp
                  external:
                    - { name: upstream-idp, issuer: "http://127.0.0.1:{{portA}}/", client_id: vigil-b, client_secret: {{secret}} }
                """,
        });

        using var browser = b.Browser();
        var login = await browser.GetAsync("/b-home?marker=ext1");
        Assert.True(login.IsLoginPage, login.Url.ToString());
        Assert.Equal(portA, login.Url.Port);
        var page = await browser.SubmitAsync(login, "/.vigil/idp/login", new() { ["username"] = "xena", ["password"] = "xena-password-1" });
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(portB, page.Url.Port);
        Assert.Contains("upstream xena@example.test", page.Html, StringComparison.Ordinal);
        var got = Assert.Single(b.Upstream.Received, r => r.RawTarget.Contains("marker=ext1", StringComparison.Ordinal));
        Assert.Equal("engineer", got.Header("X-Vigil-Roles"));
        using var session = JsonDocument.Parse(await browser.Http.GetStringAsync("/.vigil/session"));
        Assert.Equal("xena@example.test", session.RootElement.GetProperty("email").GetString());

        // Policy at B still applies: the restricted route is denied.
        var denied = await browser.GetAsync("/admin?marker=ext2");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.DoesNotContain(b.Upstream.Received, r => r.RawTarget.Contains("marker=ext2", StringComparison.Ordinal));
    }
}
