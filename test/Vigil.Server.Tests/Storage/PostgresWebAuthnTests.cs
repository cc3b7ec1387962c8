using System.Net;
using Microsoft.EntityFrameworkCore;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Storage;
using Vigil.Server.Tests.Infrastructure;
using Vigil.Tests.Shared;

namespace Vigil.Server.Tests.Storage;

/// <summary>WebAuthn credentials on PostgreSQL: enrolment, sign-in with the counter update, kinds, reset.</summary>
public sealed class PostgresWebAuthnTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    [PostgresFact]
    public async Task SecurityKey_OnPostgres_EnrolsSignsInAndIsRemovedByResetMfa()
    {
        await using var h = await VigilHarness.StartAsync(new HarnessOptions
        {
            PublicHost = "localhost",
            SeedAlice = false,
            StorageYaml = PostgresTestDatabase.StorageYaml(database.ConnectionString, Path.Combine(Path.GetTempPath(), "vigil-pg-secrets")),
        });
        var origin = $"http://localhost:{h.Port}";
        await h.AddUserAsync("pgkey", "pgkey-password", ["engineer"], [], mfaRequired: true);
        using var key = new SoftAuthenticator();
        using (var browser = h.Browser())
        {
            var enroll = await browser.LoginAsync("/dashboard", "pgkey", "pgkey-password");
            var options = await browser.SubmitAsync(enroll, IdpEndpoints.WebAuthnEnrollPath + "/options", []);
            var codes = await browser.SubmitAsync(enroll, IdpEndpoints.WebAuthnEnrollPath, new() { ["credential"] = key.Register(options.Html, origin), ["name"] = "pg key" });
            Assert.Contains("id=\"recovery-codes\"", codes.Html, StringComparison.Ordinal);
        }

        using (var browser = h.Browser())
        {
            var mfa = await browser.LoginAsync("/dashboard", "pgkey", "pgkey-password");
            var options = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath + "/options", []);
            Assert.Equal(HttpStatusCode.OK, options.Status);
            var page = await browser.SubmitAsync(mfa, IdpEndpoints.WebAuthnMfaPath, new() { ["credential"] = key.Assert(options.Html, origin) });
            Assert.Equal("/dashboard", page.Url.AbsolutePath);
        }

        await using var db = new VigilDbContext(VigilDbContext.CreateOptions(new StorageConfig { Provider = StorageProvider.Postgres, ConnectionString = database.ConnectionString }, Path.GetTempPath()));
        var credential = await db.WebAuthnCredentials.AsNoTracking().SingleAsync();
        Assert.Equal(1, credential.SignCount);
        Assert.Equal("pg key", credential.Name);
        Assert.NotNull(credential.LastUsedAtUnix);
        var users = new UserService(db, TimeProvider.System);
        var user = (await users.FindAsync("pgkey"))!;
        Assert.Equal(["webauthn", "recovery"], (await users.MfaKindsAsync())[user.Id]);
        Assert.True(await users.ResetMfaAsync("pgkey"));
        Assert.Equal(0, await db.WebAuthnCredentials.CountAsync());
    }
}
