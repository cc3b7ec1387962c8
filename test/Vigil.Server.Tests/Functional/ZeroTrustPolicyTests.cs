using System.Net;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>
/// The engine issue's zero-trust policy, in the v0 style it is written in (<c>package authz</c>, <c>allow { }</c>,
/// <c>x in data.y</c> without import), decides gateway routes unchanged: it reads <c>input.user.role</c>,
/// <c>mfa_verified</c>, <c>mfa_age_hours</c>, <c>input.device</c>, <c>input.type</c>, <c>input.tls</c>, <c>input.service</c>.
/// Device trust does not exist yet (<c>input.device</c> is empty), so users are denied by the policy itself, not by an error.
/// </summary>
public sealed class ZeroTrustPolicyTests
{
    private const string Policy = """
        package authz

        default allow = false

        allow {
            input.type != "service"
            input.resource.classification != "restricted"
            input.user.mfa_verified
            input.user.mfa_age_hours < 4
            input.device.managed
            input.device.compliance_score > 80
        }

        allow {
            input.type != "service"
            input.resource.classification == "restricted"
            input.user.mfa_verified
            input.user.mfa_age_hours < 4
            input.device.managed
            input.device.compliance_score > 90
            input.user.role in data.restricted_access_roles
            time.now_ns() < input.user.approval_expiry_ns
        }

        allow {
            input.type == "service"
            input.tls.verified
            input.service.identity in data.allowed_services[input.resource.name]
        }

        # Test-only probe: the same facts the rules read, as the gateway delivers them.
        facts := {"role": input.user.role, "mfa": input.user.mfa_verified, "fresh": input.user.mfa_age_hours < 4}
        """;

    private const string Data = """{"restricted_access_roles": ["admin"], "allowed_services": {"zt-api": ["reports-service"]}}""";

    [Fact]
    public async Task ZeroTrustPolicy_BehindTheGateway_DecidesFromTheDocumentedInput()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            ExtraPolicyFiles = new Dictionary<string, string> { ["zt/authz.rego"] = Policy, ["zt/data.json"] = Data },
            ExtraRoutes = """
                  - { name: zt, path: /zt, upstreams: [http://127.0.0.1:1], resource: { name: zt-app, classification: internal }, query: data.authz.allow }
                  - { name: zt-probe, path: /ztprobe, upstreams: [http://127.0.0.1:1], resource: { name: zt-app }, query: data.authz.facts.fresh }
                """,
        });
        var secret = (await h.AddUserAsync("zed", "zed-password-1", ["admin"], [], totp: true))!;
        using var browser = h.Browser();
        await browser.LoginAsync("/start?marker=zt0", "zed", "zed-password-1", () => VigilHarness.Totp(secret, DateTimeOffset.UtcNow));

        // The probe evaluates the facts the policy reads: MFA verified and fresh, so it allows (and would reach the upstream).
        using var probe = new HttpRequestMessage(HttpMethod.Get, "/ztprobe");
        probe.Headers.Accept.ParseAdd("application/json");
        using var probeResponse = await browser.Http.SendAsync(probe);
        Assert.Equal(HttpStatusCode.BadGateway, probeResponse.StatusCode);

        // The policy itself denies: no managed device yet. It is a policy decision, not an evaluation error.
        var denied = await browser.GetAsync("/zt/page");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Contains("id=\"code\">denied<", denied.Html, StringComparison.Ordinal);
        var log = await h.ReadLogAsync();
        var entry = Assert.Single(log, e => e.TryGetProperty("path", out var p) && p.GetString() == "/zt/page");
        Assert.Equal("denied_by_policy", entry.GetProperty("reason").GetString());
    }
}
