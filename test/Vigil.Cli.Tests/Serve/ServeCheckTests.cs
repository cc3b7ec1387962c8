using Vigil.Cli.Tests.Infrastructure;

namespace Vigil.Cli.Tests.Serve;

/// <summary><c>vigil serve --check</c>: everything start-up checks, without starting.</summary>
public sealed class ServeCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string routesQuery, string policy)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "policies"));
        File.WriteAllText(Path.Combine(_dir, "policies", "gateway.rego"), policy);
        var path = Path.Combine(_dir, "vigil.yaml");
        File.WriteAllText(path, $$"""
            version: 1
            server: { listen: ["http://127.0.0.1:18999"], data_dir: ./data }
            policies: { directories: [./policies] }
            routes:
              - { name: app, path: /, upstreams: ["http://127.0.0.1:9"], query: {{routesQuery}} }
            """);
        return path;
    }

    [Fact]
    public async Task Check_ValidConfiguration_PrintsASummaryAndStartsNothing()
    {
        var path = Write("data.vigil.gateway.allow", "package vigil.gateway\nallow if input.user.authenticated\n");
        var result = await VigilCli.RunAsync("serve", "--check", "--config", path);
        Assert.True(result.Exit == 0, result.Err);
        Assert.Contains("configuration OK: 1 route(s), 1 policy file(s)", result.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "data")), "--check must not create the data folder or a store");
    }

    [Fact]
    public async Task Check_PolicyThatDoesNotCompile_ListsTheErrorWithItsLocationAndExits2()
    {
        var path = Write("data.vigil.gateway.allow", "package vigil.gateway\nallow if {\n  input.user.\n}\n");
        var result = await VigilCli.RunAsync("serve", "-t", "-c", path);
        Assert.Equal(2, result.Exit);
        Assert.Contains("gateway.rego:4: rego_parse_error", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("configuration OK", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_RouteQueryThatDoesNotCompile_IsNamed()
    {
        var path = Write("\"data.vigil.gateway[\"", "package vigil.gateway\nallow := true\n");
        var result = await VigilCli.RunAsync("serve", "--check", "--config", path);
        Assert.Equal(2, result.Exit);
        Assert.Contains("routes[0].query", result.Err, StringComparison.Ordinal);
    }
}
