using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Vigil.Cli.Users;
using Vigil.Server.Identity;
using Vigil.Server.Sessions;
using Vigil.Server.Storage;

namespace Vigil.Cli.Sessions;

/// <summary>
/// <c>vigil sessions list [--user NAME] [--format table|json]</c>: the recorded gateway sessions;
/// <c>vigil sessions revoke SESSION_ID | --user NAME</c>: end one session, or all of a user's, server-side.
/// </summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var command = new Command("sessions", "List and revoke gateway sessions (recorded at sign-in in the store).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command List()
    {
        var (config, data) = UsersCommand.StoreOptions();
        var user = new Option<string>("--user", "-u") { Description = "Only this user's sessions (login name)" };
        var format = new Option<string>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("list", "List unexpired sessions, newest first: id, user, created, last seen (coarse: about a minute), expiry, client IP, " +
            "sign-in methods, status (active or revoked), user agent.") { user, format, config, data };
        command.SetAction(async (parse, ct) =>
        {
            await using var db = await UsersCommand.OpenAsync(parse, config, data).ConfigureAwait(false);
            var store = new SessionStore(db, TimeProvider.System);
            List<SessionEntity> sessions;
            if (parse.GetValue(user) is { } name)
            {
                var subjects = await SubjectsAsync(db, name, ct).ConfigureAwait(false);
                if (subjects is null)
                {
                    await Console.Error.WriteLineAsync($"vigil: error: no such user: {name}").ConfigureAwait(false);
                    return 1;
                }

                sessions = [];
                foreach (var subject in subjects)
                {
                    sessions.AddRange(await store.ListAsync(subject, ct).ConfigureAwait(false));
                }

                sessions = sessions.OrderByDescending(s => s.CreatedAtUnix).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
            }
            else
            {
                sessions = await store.ListAsync(null, ct).ConfigureAwait(false);
            }

            if (parse.GetValue(format) == "json")
            {
                WriteJson(sessions);
            }
            else
            {
                WriteTable(sessions);
            }

            return 0;
        });
        return command;
    }

    private static Command Revoke()
    {
        var (config, data) = UsersCommand.StoreOptions();
        var id = new Argument<string?>("session-id")
        {
            Description = "The session id (\"session\" in the decision log and in 'vigil sessions list', session_id at /.vigil/session)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var user = new Option<string>("--user", "-u") { Description = "Revoke every session of this user (login name) instead of one session" };
        var reason = new Option<string>("--reason") { Description = "Recorded with the revocation", DefaultValueFactory = _ => "admin" };
        var command = new Command("revoke", "Revoke a session, or with --user all of a user's sessions: their cookies are refused by every node sharing the store " +
            "(at once on nodes subscribed to the configured Redis, else within seconds). The user can sign in again (use 'vigil users disable' to stop that).") { id, user, reason, config, data };
        command.SetAction(async (parse, ct) =>
        {
            var sessionId = parse.GetValue(id)?.Trim();
            var userName = parse.GetValue(user);
            if ((sessionId is null) == (userName is null))
            {
                await Console.Error.WriteLineAsync("vigil: error: give a session id or --user NAME (one of them)").ConfigureAwait(false);
                return 2;
            }

            var why = "admin:" + parse.GetValue(reason);
            if (sessionId is not null)
            {
                if (sessionId.Length is 0 or > 128 || !sessionId.All(char.IsAsciiLetterOrDigit))
                {
                    await Console.Error.WriteLineAsync("vigil: error: a session id is 1-128 letters and digits").ConfigureAwait(false);
                    return 2;
                }

                await using var db = await UsersCommand.OpenAsync(parse, config, data).ConfigureAwait(false);
                await using var bus = UsersCommand.OpenBus(parse, config);
                await new RevocationStore(db, TimeProvider.System, bus).RevokeSessionAsync(sessionId, null, why, ct).ConfigureAwait(false);
                Console.WriteLine($"revoked session {sessionId}");
                return 0;
            }

            await using (var db = await UsersCommand.OpenAsync(parse, config, data).ConfigureAwait(false))
            {
                var subjects = await SubjectsAsync(db, userName!, ct).ConfigureAwait(false);
                if (subjects is null)
                {
                    await Console.Error.WriteLineAsync($"vigil: error: no such user: {userName}").ConfigureAwait(false);
                    return 1;
                }

                var before = 0;
                await using var bus = UsersCommand.OpenBus(parse, config);
                var revocations = new RevocationStore(db, TimeProvider.System, bus);
                var store = new SessionStore(db, TimeProvider.System);
                foreach (var subject in subjects)
                {
                    before += (await store.ListAsync(subject, ct).ConfigureAwait(false)).Count(s => s.RevokedAtUnix is null);
                    await revocations.RevokeUserAsync(subject, why, ct).ConfigureAwait(false);
                }

                Console.WriteLine($"revoked all sessions of {userName} ({before} recorded active)");
                return 0;
            }
        });
        return command;
    }

    /// <summary>
    /// The subjects a login name stands for: the built-in user's id, else the subjects of sessions recorded under that
    /// name (users of an external provider). Null when neither exists.
    /// </summary>
    private static async Task<List<string>?> SubjectsAsync(VigilDbContext db, string name, CancellationToken ct)
    {
        if (await new UserService(db, TimeProvider.System).FindAsync(name, ct).ConfigureAwait(false) is { } builtin)
        {
            return [builtin.Id];
        }

        var subjects = await new SessionStore(db, TimeProvider.System).SubjectsByUserNameAsync(name.Trim(), ct).ConfigureAwait(false);
        return subjects.Count > 0 ? subjects : null;
    }

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Iso(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteTable(List<SessionEntity> sessions)
    {
        Console.WriteLine($"{"SESSION",-32} {"USER",-20} {"CREATED",-17} {"LAST SEEN",-17} {"EXPIRES",-17} {"CLIENT IP",-15} {"AMR",-9} {"STATUS",-8} USER AGENT");
        foreach (var s in sessions)
        {
            var agent = s.UserAgent is { Length: > 40 } ua ? ua[..40] + "…" : s.UserAgent ?? "-";
            Console.WriteLine($"{s.Id,-32} {s.UserName ?? s.Subject,-20} {Time(s.CreatedAtUnix),-17} {Time(s.LastSeenAtUnix),-17} {Time(s.ExpiresAtUnix),-17} " +
                $"{s.ClientIp ?? "-",-15} {(string.IsNullOrEmpty(s.Amr) ? "-" : s.Amr.Replace(' ', ',')),-9} {(s.RevokedAtUnix is null ? "active" : "revoked"),-8} {agent}");
        }

        Console.WriteLine($"{sessions.Count} session{(sessions.Count == 1 ? "" : "s")}");
    }

    private static void WriteJson(List<SessionEntity> sessions)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var s in sessions)
            {
                json.WriteStartObject();
                json.WriteString("session_id", s.Id);
                json.WriteString("subject", s.Subject);
                json.WriteString("user", s.UserName);
                json.WriteString("created_at", Iso(s.CreatedAtUnix));
                json.WriteString("last_seen_at", Iso(s.LastSeenAtUnix));
                json.WriteString("expires_at", Iso(s.ExpiresAtUnix));
                json.WriteString("client_ip", s.ClientIp);
                json.WriteString("user_agent", s.UserAgent);
                json.WriteStartArray("amr");
                foreach (var amr in (s.Amr ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    json.WriteStringValue(amr);
                }

                json.WriteEndArray();
                json.WriteString("status", s.RevokedAtUnix is null ? "active" : "revoked");
                if (s.RevokedAtUnix is { } revoked)
                {
                    json.WriteString("revoked_at", Iso(revoked));
                    json.WriteString("revoked_reason", s.RevokedReason);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.WriteByte((byte)'\n');
    }
}
