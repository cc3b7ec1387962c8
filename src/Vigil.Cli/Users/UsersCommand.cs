using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Vigil.Server.Configuration;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;

namespace Vigil.Cli.Users;

/// <summary><c>vigil users add|list|update|remove|disable|enable|reset-mfa</c>: manage the built-in provider's users.</summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var command = new Command("users", "Manage users of the built-in identity provider.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Update());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(SetDisabled("disable", true));
        command.Subcommands.Add(SetDisabled("enable", false));
        command.Subcommands.Add(ResetMfa());
        return command;
    }

    internal static (Option<FileInfo> Config, Option<DirectoryInfo> Data) StoreOptions() =>
        (new Option<FileInfo>("--config", "-c") { Description = "vigil.yaml: its storage section (SQLite in data_dir, or PostgreSQL) is the store" },
         new Option<DirectoryInfo>("--data", "-d") { Description = "Data folder holding the SQLite store vigil.db (instead of --config)" });

    /// <summary>
    /// The revocation bus of the --config file's <c>redis</c> section (null without one, or with --data): revocations the
    /// command makes are announced on it right after the store recorded them, so running nodes apply them at once.
    /// </summary>
    internal static RevocationBus? OpenBus(ParseResult parse, Option<FileInfo> config) =>
        parse.GetValue(config) is { } file && ConfigLoader.LoadFile(file.FullName).Redis is { } redis
            ? new RevocationBus(redis, new StderrLogger<RevocationBus>())
            : null;

    /// <summary>Opens the store named by --config (its storage section) or --data (SQLite), creating or upgrading its schema.</summary>
    internal static async Task<VigilDbContext> OpenAsync(ParseResult parse, Option<FileInfo> config, Option<DirectoryInfo> data)
    {
        DbContextOptions<VigilDbContext> options;
        if (parse.GetValue(config) is { } file)
        {
            var loaded = ConfigLoader.LoadFile(file.FullName);
            options = VigilDbContext.CreateOptions(loaded.Storage, loaded.Server.DataDir);
        }
        else if (parse.GetValue(data) is { } dir)
        {
            options = VigilDbContext.SqliteOptions(dir.FullName);
        }
        else
        {
            throw new InvalidOperationException("give --config vigil.yaml or --data DIR");
        }

        var db = new VigilDbContext(options);
        try
        {
            await db.EnsureSchemaAsync().ConfigureAwait(false);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return db;
    }

    private static Command Add()
    {
        var (config, data) = StoreOptions();
        var name = new Argument<string>("username") { Description = "Login name" };
        var password = new Option<string>("--password", "-p") { Description = "Password (at least 8 characters); read from VIGIL_PASSWORD when omitted" };
        var email = new Option<string>("--email") { Description = "E-mail address" };
        var display = new Option<string>("--name") { Description = "Display name" };
        var roles = new Option<string[]>("--role", "-r") { Description = "Role (repeatable)", AllowMultipleArgumentsPerToken = false };
        var groups = new Option<string[]>("--group", "-g") { Description = "Group (repeatable)" };
        var mfa = new Option<bool>("--mfa-required") { Description = "Require a second factor (TOTP or security key) at every login (enrolment at first login)" };
        var command = new Command("add", "Add a user.") { name, password, email, display, roles, groups, mfa, config, data };
        command.SetAction(async (parse, ct) =>
        {
            var pw = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("VIGIL_PASSWORD");
            if (string.IsNullOrEmpty(pw))
            {
                await Console.Error.WriteLineAsync("vigil: error: give --password or set VIGIL_PASSWORD").ConfigureAwait(false);
                return 2;
            }

            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            var users = new UserService(db, TimeProvider.System);
            try
            {
                var user = await users.AddAsync(parse.GetValue(name)!, pw, parse.GetValue(email), parse.GetValue(display),
                    parse.GetValue(roles) ?? [], parse.GetValue(groups) ?? [], parse.GetValue(mfa), ct).ConfigureAwait(false);
                Console.WriteLine($"added {user.UserName} (id {user.Id})");
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync("vigil: error: " + ex.Message).ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static Command List()
    {
        var (config, data) = StoreOptions();
        var command = new Command("list", "List users.") { config, data };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            var service = new UserService(db, TimeProvider.System);
            var users = await service.ListAsync(ct).ConfigureAwait(false);
            var kinds = await service.MfaKindsAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"{"USER",-20} {"ROLES",-24} {"GROUPS",-20} {"MFA",-28} STATUS");
            foreach (var u in users)
            {
                Console.WriteLine($"{u.UserName,-20} {string.Join(',', u.Roles.Select(r => r.Role)),-24} {string.Join(',', u.Groups.Select(g => g.Group)),-20} {MfaText(u, kinds),-28} {(u.Disabled ? "disabled" : "active")}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>The user's second factors (<c>totp</c>, <c>webauthn</c> or <c>webauthn(N)</c>, <c>recovery</c>), then <c>required</c> if MFA is required (alone: not enrolled yet); <c>-</c> for none.</summary>
    internal static string MfaText(UserEntity user, IReadOnlyDictionary<string, IReadOnlyList<string>> kinds)
    {
        var parts = kinds.TryGetValue(user.Id, out var k) ? k.ToList() : [];
        if (user.MfaRequired)
        {
            parts.Add("required");
        }

        return parts.Count == 0 ? "-" : string.Join(',', parts);
    }

    private static Command Update()
    {
        var (config, data) = StoreOptions();
        var name = new Argument<string>("username") { Description = "Login name" };
        var roles = new Option<string[]>("--role", "-r") { Description = "Role (repeatable); replaces the user's roles" };
        var noRoles = new Option<bool>("--no-roles") { Description = "Remove every role" };
        var groups = new Option<string[]>("--group", "-g") { Description = "Group (repeatable); replaces the user's groups" };
        var noGroups = new Option<bool>("--no-groups") { Description = "Remove every group" };
        var email = new Option<string>("--email") { Description = "E-mail address (empty to clear)" };
        var display = new Option<string>("--name") { Description = "Display name (empty to clear)" };
        var command = new Command("update", "Change a user's roles, groups, e-mail or display name. Changing roles or groups revokes the user's " +
            "sessions (they sign in again and get the new ones).") { name, roles, noRoles, groups, noGroups, email, display, config, data };
        command.SetAction(async (parse, ct) =>
        {
            var newRoles = parse.GetValue(noRoles) ? [] : parse.GetValue(roles) is { Length: > 0 } r ? r : null;
            var newGroups = parse.GetValue(noGroups) ? [] : parse.GetValue(groups) is { Length: > 0 } g ? g : null;
            if ((parse.GetValue(noRoles) && parse.GetValue(roles) is { Length: > 0 }) || (parse.GetValue(noGroups) && parse.GetValue(groups) is { Length: > 0 }))
            {
                await Console.Error.WriteLineAsync("vigil: error: give --role or --no-roles (and --group or --no-groups), not both").ConfigureAwait(false);
                return 2;
            }

            if (newRoles is null && newGroups is null && parse.GetValue(email) is null && parse.GetValue(display) is null)
            {
                await Console.Error.WriteLineAsync("vigil: error: nothing to change: give --role/--no-roles, --group/--no-groups, --email or --name").ConfigureAwait(false);
                return 2;
            }

            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            await using var bus = OpenBus(parse, config);
            var user = await new UserService(db, TimeProvider.System) { Bus = bus }.UpdateAsync(parse.GetValue(name)!, newRoles, newGroups, parse.GetValue(email), parse.GetValue(display), ct).ConfigureAwait(false);
            if (user is null)
            {
                await Console.Error.WriteLineAsync($"vigil: error: no such user: {parse.GetValue(name)}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"updated {user.UserName}: roles {Join(user.Roles.Select(x => x.Role))}, groups {Join(user.Groups.Select(x => x.Group))}");
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var (config, data) = StoreOptions();
        var name = new Argument<string>("username") { Description = "Login name" };
        var command = new Command("remove", "Delete a user with their roles, groups and security keys; their sessions are revoked first.") { name, config, data };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            await using var bus = OpenBus(parse, config);
            if (!await new UserService(db, TimeProvider.System) { Bus = bus }.RemoveAsync(parse.GetValue(name)!, ct).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"vigil: error: no such user: {parse.GetValue(name)}").ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine($"removed {UserService.NormalizeName(parse.GetValue(name)!)}");
            return 0;
        });
        return command;
    }

    private static string Join(IEnumerable<string> values) => values.Order(StringComparer.Ordinal).ToList() is { Count: > 0 } list ? string.Join(',', list) : "-";

    private static Command SetDisabled(string verb, bool disabled)
    {
        var (config, data) = StoreOptions();
        var name = new Argument<string>("username");
        var command = new Command(verb, disabled ? "Disable a user (their existing sessions are revoked server-side)." : "Enable a user.") { name, config, data };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            await using var bus = disabled ? OpenBus(parse, config) : null;
            var ok = await new UserService(db, TimeProvider.System) { Bus = bus }.SetDisabledAsync(parse.GetValue(name)!, disabled, ct).ConfigureAwait(false);
            Console.WriteLine(ok ? $"{verb}d {parse.GetValue(name)}" : $"no such user: {parse.GetValue(name)}");
            return ok ? 0 : 1;
        });
        return command;
    }

    private static Command ResetMfa()
    {
        var (config, data) = StoreOptions();
        var name = new Argument<string>("username");
        var command = new Command("reset-mfa", "Remove a user's TOTP, security keys (WebAuthn) and recovery codes (they enrol again at next login if MFA is required).") { name, config, data };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await OpenAsync(parse, config, data).ConfigureAwait(false);
            var ok = await new UserService(db, TimeProvider.System).ResetMfaAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            Console.WriteLine(ok ? $"MFA reset for {parse.GetValue(name)}" : $"no such user: {parse.GetValue(name)}");
            return ok ? 0 : 1;
        });
        return command;
    }
}
