using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>Behaviour over time and across configurations; each test owns its Vigil instance.</summary>
public sealed class SessionLifecycleTests
{
    [Fact]
    public async Task StepUp_StaleMfa_SendsUserThroughMfaAgainAndBackToThePage()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        var secret = (await h.AddUserAsync("root1", "root-password-1", ["admin"], ["ops"], totp: true))!;
        using var browser = h.Browser();
        var page = await browser.LoginAsync("/admin/panel?marker=su1", "root1", "root-password-1", () => VigilHarness.Totp(secret, time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("/admin/panel?marker=su1", page.Html, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromHours(2));
        using var noRedirect = new HttpClient(new SocketsHttpHandler { CookieContainer = browser.Cookies, AllowAutoRedirect = false, UseProxy = false }) { BaseAddress = h.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/panel?marker=su2");
        request.Headers.Accept.ParseAdd("text/html");
        using var challenge = await noRedirect.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!.ToString();
        Assert.Contains("max_age=3600", location, StringComparison.Ordinal);
        Assert.Contains("acr_values=mfa", location, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=su2", StringComparison.Ordinal));

        var login = await browser.GetAsync("/admin/panel?marker=su3");
        Assert.True(login.IsLoginPage, login.Url.ToString());
        var mfa = await browser.SubmitAsync(login, "/.vigil/idp/login", new() { ["username"] = "root1", ["password"] = "root-password-1" });
        Assert.True(mfa.IsMfaPage, mfa.Url.ToString());
        var back = await browser.SubmitAsync(mfa, "/.vigil/idp/mfa", new() { ["code"] = VigilHarness.Totp(secret, time.GetUtcNow()) });
        Assert.Equal(HttpStatusCode.OK, back.Status);
        Assert.Equal("/admin/panel", back.Url.AbsolutePath);
        Assert.Contains("marker=su3", back.Html, StringComparison.Ordinal);
        var log = await h.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("decision").GetString() == "step_up");
    }

    [Fact]
    public async Task BruteForce_RepeatedFailures_BanTheAccountEvenForTheRightPassword()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Lockout = "{ max_failures_per_account: 3, max_failures_per_ip: 100, window: 10m, ban: 5m, max_ban: 1h }" });
        await h.AddUserAsync("target1", "target-password-1", ["engineer"], []);
        for (var i = 0; i < 3; i++)
        {
            using var attacker = h.Browser();
            var failed = await attacker.LoginAsync("/b?marker=bf", "target1", "guess-" + i);
            Assert.True(failed.IsLoginPage);
        }

        using var victim = h.Browser();
        var page = await victim.LoginAsync("/b?marker=bf-victim", "target1", "target-password-1");
        Assert.True(page.IsLoginPage);
        Assert.Contains("id=\"error\"", page.Html, StringComparison.Ordinal);
        var log = await h.ReadLogAsync();
        Assert.Contains(log, e => e.GetProperty("decision").GetString() == "ban" && e.GetProperty("subject").GetString() == "account:target1");
        Assert.Contains(log, e => e.GetProperty("kind").GetString() == "login" && e.GetProperty("reason").GetString() == "banned");
    }

    [Fact]
    public async Task Reload_ChangedPolicy_TakesEffect_AndBrokenPolicyKeepsLastGood()
    {
        await using var h = await VigilHarness.StartAsync();
        using var api = h.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/public/r?marker=rl1")).StatusCode);

        var original = File.ReadAllText(Path.Combine(h.PolicyDir, "gateway.rego"));
        File.WriteAllText(Path.Combine(h.PolicyDir, "gateway.rego"), original.Replace("decision := {\"allow\": true, \"rule\": \"public\"} if input.resource.classification == \"public\"", "", StringComparison.Ordinal));
        Assert.Empty(h.Server.Reload(h.ConfigPath));
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/public/r?marker=rl2")).StatusCode);

        File.WriteAllText(Path.Combine(h.PolicyDir, "gateway.rego"), "package vigil.gateway\n\ndecision := {{{ not rego");
        var errors = h.Server.Reload(h.ConfigPath);
        Assert.NotEmpty(errors);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/public/r?marker=rl3")).StatusCode);

        File.WriteAllText(h.ConfigPath, File.ReadAllText(h.ConfigPath) + "\nbogus_key: 1\n");
        Assert.Contains(h.Server.Reload(h.ConfigPath), e => e.Code == "config_unknown_key");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/public/r?marker=rl4")).StatusCode);
    }

    [Fact]
    public async Task Reload_StartupOnlySettingChanged_AppliesTheRest_AndHealthNamesWhatWaitsForRestart()
    {
        await using var h = await VigilHarness.StartAsync();
        using var api = h.Api();
        Assert.Equal("ok", await api.GetStringAsync("/.vigil/health"));

        // A start-up-only setting (the session section) changes: the reload succeeds, the change waits for a restart.
        var original = File.ReadAllText(h.ConfigPath);
        File.WriteAllText(h.ConfigPath, original.Replace("audit: {", "session: { lifetime: 1h }\naudit: {", StringComparison.Ordinal));
        Assert.Empty(h.Server.Reload(h.ConfigPath));

        Assert.Equal(["session"], h.Server.State.RestartRequired);
        var health = await api.GetAsync("/.vigil/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok; restart to apply: session", await health.Content.ReadAsStringAsync());

        // Back to the start-up value: nothing waits any more.
        File.WriteAllText(h.ConfigPath, original);
        Assert.Empty(h.Server.Reload(h.ConfigPath));
        Assert.Empty(h.Server.State.RestartRequired);
        Assert.Equal("ok", await api.GetStringAsync("/.vigil/health"));
    }

    [Fact]
    public async Task Watcher_PolicyFileChange_ReloadsWithoutRestart()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Watch = true });
        using var api = h.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/public/w?marker=wa1")).StatusCode);
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Server.State.Reloaded += _ => reloaded.TrySetResult();
        var path = Path.Combine(h.PolicyDir, "gateway.rego");
        File.WriteAllText(path, File.ReadAllText(path).Replace("decision := {\"allow\": true, \"rule\": \"public\"} if input.resource.classification == \"public\"", "", StringComparison.Ordinal));
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/public/w?marker=wa2")).StatusCode);
    }

    [Fact]
    public async Task SessionCookie_AfterItsLifetime_NoLongerAuthenticates()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("late1", "late-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/l?marker=late1", "late1", "late-password-1")).Status);
        time.Advance(TimeSpan.FromHours(9));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/l?marker=late2");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await browser.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>Forwarded-for handling when Vigil sits behind a configured proxy.</summary>
public sealed class TrustedProxyTests
{
    [Fact]
    public async Task ForwardedFor_FromTrustedProxy_IsBelievedAndPassedOn()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { TrustedProxies = "127.0.0.1" });
        var response = await RawHttp.SendAsync(h.Port, "/net?marker=tp1", headers: ["X-Forwarded-For: 10.9.9.9"]);
        Assert.Equal(200, response.Status);
        var got = Assert.Single(h.Upstream.Received, r => r.RawTarget.Contains("marker=tp1", StringComparison.Ordinal));
        Assert.Equal("10.9.9.9", got.Header("X-Forwarded-For"));

        var chained = await RawHttp.SendAsync(h.Port, "/net?marker=tp2", headers: ["X-Forwarded-For: 10.9.9.9, 198.51.100.4"]);
        Assert.Equal(403, chained.Status);
    }
}

/// <summary>Disabling a user ends their gateway sessions within the session cache lifetime.</summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task DisabledUser_ExistingSession_StopsWorkingWithinTheCacheLifetime()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var h = await VigilHarness.StartAsync(new HarnessOptions { Time = time });
        await h.AddUserAsync("revoke1", "revoke-password-1", ["engineer"], []);
        using var browser = h.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.LoginAsync("/r?marker=rv1", "revoke1", "revoke-password-1")).Status);

        await using (var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IServiceProvider>(h.Server.Services).CreateAsyncScope())
        {
            var users = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Vigil.Server.Identity.UserService>(scope.ServiceProvider);
            Assert.True(await users.SetDisabledAsync("revoke1", true));
        }

        time.Advance(TimeSpan.FromSeconds(31));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/r?marker=rv2");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await browser.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(h.Upstream.Received, r => r.RawTarget.Contains("marker=rv2", StringComparison.Ordinal));
    }
}
