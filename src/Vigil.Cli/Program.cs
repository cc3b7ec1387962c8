using System.CommandLine;
using Vigil.Cli;

var root = new RootCommand("Vigil: a self-hosted zero-trust access platform (policy engine, gateway, segmentation).");

// One line per command group; each group lives in its own folder.
root.Subcommands.Add(Vigil.Cli.Policy.PolicyCommand.Create());
root.Subcommands.Add(Vigil.Cli.Segment.SegmentCommand.Create());
root.Subcommands.Add(Vigil.Cli.Serve.ServeCommand.Create());
root.Subcommands.Add(Vigil.Cli.Demo.DemoCommand.Create());
root.Subcommands.Add(Vigil.Cli.Users.UsersCommand.Create());
root.Subcommands.Add(Vigil.Cli.Sessions.SessionsCommand.Create());
root.Subcommands.Add(Vigil.Cli.Audit.AuditCommand.Create());

return await CliRunner.RunAsync(root, args).ConfigureAwait(false);
