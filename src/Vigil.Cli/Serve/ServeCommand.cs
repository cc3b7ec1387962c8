using System.CommandLine;
using Vigil.Server;
using Vigil.Server.Configuration;

namespace Vigil.Cli.Serve;

/// <summary><c>vigil serve --config vigil.yaml</c>: runs the identity provider, gateway and decision log.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "Path to vigil.yaml", Required = true };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log informational messages" };
        var check = new Option<bool>("--check", "-t")
        {
            Description = "Only check the configuration, TLS certificate, policies and route queries, as start-up would; print every error and exit 2, or a summary and exit 0 (like nginx -t)",
        };
        var command = new Command("serve", "Run Vigil (identity provider + gateway) from a configuration file; reloads it on change.") { config, verbose, check };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(config)!.FullName;
            VigilConfig loaded;
            try
            {
                loaded = ConfigLoader.LoadFile(path);
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }

            if (parse.GetValue(check))
            {
                try
                {
                    Console.WriteLine($"vigil: {path}: configuration OK: {VigilServer.Check(loaded)}");
                    return 0;
                }
                catch (ConfigException ex)
                {
                    await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                    return 2;
                }
            }

            return await RunAsync(loaded, parse.GetValue(verbose), ct).ConfigureAwait(false);
        });
        return command;
    }

    internal static async Task<int> RunAsync(VigilConfig config, bool verbose, CancellationToken ct)
    {
        VigilServer.PrepareProcess(config);
        VigilServer server;
        try
        {
            server = VigilServer.Create(config, new VigilServerOptions
            {
                WatchConfiguration = true,
                LogLevel = verbose ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning,
            });
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        await using (server.ConfigureAwait(false))
        {
            await server.StartAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"vigil: listening on {string.Join(", ", server.Addresses)}; public URL {config.Server.PublicUrl}");
            Console.WriteLine($"vigil: decision log {config.Audit.Path}");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return 0;
    }
}
