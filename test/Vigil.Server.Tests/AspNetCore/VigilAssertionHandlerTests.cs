using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vigil.AspNetCore;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.AspNetCore;

/// <summary>An application behind Vigil verifies the gateway's assertion with Vigil.AspNetCore.</summary>
public sealed class VigilAssertionHandlerTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    private async Task<(WebApplication App, Uri Address)> StartAppAsync(string audience)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddAuthentication(VigilAssertionDefaults.AuthenticationScheme)
            .AddVigilAssertion(o => { o.Issuer = H.BaseUrl; o.Audience = audience; });
        var app = builder.Build();
        app.Run(async context =>
        {
            var result = await context.AuthenticateAsync();
            if (!result.Succeeded)
            {
                context.Response.StatusCode = 401;
                return;
            }

            await context.Response.WriteAsync(result.Principal!.Identity!.Name + "|" + string.Join(",", result.Principal.FindAll("roles").Select(c => c.Value)));
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }

    private async Task<string> AssertionAsync(string user)
    {
        await H.AddUserAsync(user, user + "-password-1", ["engineer"], []);
        using var browser = H.Browser();
        await browser.LoginAsync($"/x?marker={user}", user, user + "-password-1");
        return Assert.Single(H.Upstream.Received, r => r.RawTarget.Contains("marker=" + user, StringComparison.Ordinal)).Header("X-Vigil-Assertion")!;
    }

    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(Uri app, string? assertion)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, app);
        if (assertion is not null)
        {
            request.Headers.Add(VigilAssertionDefaults.HeaderName, assertion);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ValidAssertion_AuthenticatesTheUserWithRoles()
    {
        var assertion = await AssertionAsync("asrt1");
        var (app, address) = await StartAppAsync("app");
        await using (app)
        {
            var (status, body) = await CallAsync(address, assertion);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("asrt1@example.test|engineer", body);
        }
    }

    [Fact]
    public async Task ForgedMissingOrForeignAssertion_IsRefused()
    {
        var assertion = await AssertionAsync("asrt2");
        var (app, address) = await StartAppAsync("app");
        await using (app)
        {
            var parts = assertion.Split('.');
            var forgedPayload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]).Replace("asrt2@", "boss@", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(address, parts[0] + "." + forgedPayload + "." + parts[2])).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(address, null)).Status);
        }

        var (other, otherAddress) = await StartAppAsync("another-route");
        await using (other)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(otherAddress, assertion)).Status);
        }
    }
}
