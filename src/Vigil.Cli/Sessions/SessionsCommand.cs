using System.CommandLine;
using Vigil.Cli.Users;
using Vigil.Server.Sessions;

namespace Vigil.Cli.Sessions;

/// <summary><c>vigil sessions revoke SESSION_ID</c>: end one gateway or provider session server-side.</summary>
internal static class SessionsCommand
{
    public static Command Create()
    {
        var command = new Command("sessions", "Manage gateway sessions.");
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Revoke()
    {
        var (config, data) = UsersCommand.StoreOptions();
        var id = new Argument<string>("session-id") { Description = "The session id (\"session\" in the decision log, session_id at /.vigil/session)" };
        var reason = new Option<string>("--reason") { Description = "Recorded with the revocation", DefaultValueFactory = _ => "admin" };
        var command = new Command("revoke", "Revoke a session: its cookie is refused by every node sharing the store (within seconds).") { id, reason, config, data };
        command.SetAction(async (parse, ct) =>
        {
            var sessionId = parse.GetValue(id)!.Trim();
            if (sessionId.Length is 0 or > 128 || !sessionId.All(char.IsAsciiLetterOrDigit))
            {
                await Console.Error.WriteLineAsync("vigil: error: a session id is 1-128 letters and digits").ConfigureAwait(false);
                return 2;
            }

            await using var db = await UsersCommand.OpenAsync(parse, config, data).ConfigureAwait(false);
            await new RevocationStore(db, TimeProvider.System).RevokeSessionAsync(sessionId, null, "admin:" + parse.GetValue(reason), ct).ConfigureAwait(false);
            Console.WriteLine($"revoked session {sessionId}");
            return 0;
        });
        return command;
    }
}
