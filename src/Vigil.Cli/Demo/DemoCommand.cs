using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Vigil.Server;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Storage;

namespace Vigil.Cli.Demo;

/// <summary>
/// <c>vigil demo</c>: identity provider, gateway and a demo application on this machine, with demo users and the
/// example policies, state in a SQLite file in a data folder. Prints what to open and how to log in.
/// </summary>
internal static class DemoCommand
{
    internal sealed record DemoUser(string Name, string Password, string Email, string[] Roles, string[] Groups, bool MfaRequired, string Note);

    internal static readonly DemoUser[] Users =
    [
        new("alice", "alice-demo-password", "alice@example.test", ["engineer"], ["staff"], false, "engineer: home and reports (reports would be denied: logged in audit mode), not admin"),
        new("bob", "bob-demo-password", "bob@example.test", ["admin"], ["staff", "ops"], true, "admin: must set up TOTP or a security key at first login; reaches /admin with fresh MFA"),
        new("carol", "carol-demo-password", "carol@example.test", ["contractor"], ["contractors"], false, "contractor: home only"),
    ];

    public static Command Create()
    {
        var data = new Option<DirectoryInfo>("--data", "-d") { Description = "Data folder (SQLite, keys, decision log, config)", DefaultValueFactory = _ => new DirectoryInfo("vigil-demo") };
        var port = new Option<int>("--port", "-p") { Description = "Gateway port on 127.0.0.1", DefaultValueFactory = _ => 8080 };
        var command = new Command("demo", "Run identity provider + gateway + a demo application locally, with demo users and policies.") { data, port };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(data)!.FullName;
            var (upstream, upstreamAddress) = await DemoUpstream.StartAsync(ct).ConfigureAwait(false);
            await using (upstream.ConfigureAwait(false))
            {
                var config = await PrepareAsync(dir, parse.GetValue(port), upstreamAddress, ct).ConfigureAwait(false);
                PrintBanner(config, dir);
                return await Serve.ServeCommand.RunAsync(config, verbose: false, ct).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Writes the demo configuration and policies (keeping edited policies) and creates the demo users.</summary>
    internal static async Task<VigilConfig> PrepareAsync(string dir, int port, Uri upstream, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var policies = Path.Combine(dir, "policies");
        Directory.CreateDirectory(policies);
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("demo/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(policies, name["demo/".Length..]);
            if (!File.Exists(target))
            {
                await using var source = assembly.GetManifestResourceStream(name)!;
                await using var file = File.Create(target);
                await source.CopyToAsync(file, ct).ConfigureAwait(false);
            }
        }

        var up = upstream.ToString().TrimEnd('/');
        var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
            # Written by `vigil demo` (regenerated at each start). See docs/configuration.md.
            version: 1
            server:
              listen: [http://127.0.0.1:{{port}}]
              # A host name, not 127.0.0.1: WebAuthn (security keys) needs one as relying party id.
              public_url: http://localhost:{{port}}
              data_dir: .
            identity:
              provider: builtin
              builtin:
                access_token_lifetime: 15m
            policies:
              directories: [./policies]
            audit:
              path: ./decisions.log
            routes:
              - name: public
                path: /public
                upstreams: [{{up}}]
                resource: { name: public-page, classification: public }
                auth: public
              - name: admin
                path: /admin
                upstreams: [{{up}}]
                resource: { name: admin-console, classification: restricted, labels: { team: ops } }
              - name: reports
                path: /reports
                upstreams: [{{up}}]
                resource: { name: reports, classification: confidential }
                mode: audit
              - name: app
                path: /
                upstreams: [{{up}}]
                resource: { name: demo-app, classification: internal }
            """);
        var configPath = Path.Combine(dir, "vigil.yaml");
        await File.WriteAllTextAsync(configPath, yaml, ct).ConfigureAwait(false);
        var config = ConfigLoader.LoadFile(configPath);

        await using var db = new VigilDbContext(VigilDbContext.SqliteOptions(config.Server.DataDir));
        await db.EnsureSchemaAsync(ct).ConfigureAwait(false);
        var users = new UserService(db, TimeProvider.System);
        foreach (var u in Users)
        {
            if (await users.FindAsync(u.Name, ct).ConfigureAwait(false) is null)
            {
                await users.AddAsync(u.Name, u.Password, u.Email, u.Name[..1].ToUpperInvariant() + u.Name[1..], u.Roles, u.Groups, u.MfaRequired, ct).ConfigureAwait(false);
            }
        }

        return config;
    }

    private static void PrintBanner(VigilConfig config, string dir)
    {
        var url = config.Server.PublicUrl.ToString().TrimEnd('/');
        Console.WriteLine($"""

            Vigil demo
            ==========
            Open            {url}/            (demo app, any signed-in user)
                            {url}/admin       (restricted: role admin + MFA less than 1 h old; step-up otherwise)
                            {url}/reports     (confidential, audit mode: would-be denials are logged, not enforced)
                            {url}/public      (public)
            Provider        {url}/.well-known/openid-configuration
            Assertion keys  {url}/.vigil/jwks
            Metrics         {url}/.vigil/metrics  (Prometheus; from this machine only)
            Data folder     {dir}
            Decision log    vigil audit tail {config.Audit.Path}

            Users (user / password):
            """);
        foreach (var u in Users)
        {
            Console.WriteLine($"  {u.Name,-6} / {u.Password,-22} {u.Note}");
        }

        Console.WriteLine("\nPolicies are in " + Path.Combine(dir, "policies") + " (edit them: they reload without restart). Ctrl+C stops.\n");
    }
}
