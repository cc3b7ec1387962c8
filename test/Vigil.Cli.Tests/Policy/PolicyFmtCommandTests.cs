using Vigil.Cli.Tests.Infrastructure;

namespace Vigil.Cli.Tests.Policy;

/// <summary><c>vigil policy fmt</c> through the real executable, on real files.</summary>
public sealed class PolicyFmtCommandTests : IDisposable
{
    private const string Unformatted = "package p\nallow if {\n    input.x   # why\n}\n";
    private const string Formatted = "package p\n\nallow if {\n\tinput.x # why\n}\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-fmt-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Fmt_SingleFile_PrintsFormattedAndLeavesFile()
    {
        var file = Write("a.rego", Unformatted);

        var result = await VigilCli.RunAsync("policy", "fmt", file);

        Assert.True(result.Exit == 0, result.Err);
        Assert.Equal(Formatted, result.Out);
        Assert.Equal(Unformatted, File.ReadAllText(file));
    }

    [Fact]
    public async Task Fmt_WriteOnFolder_RewritesOnlyChangedFilesRecursively()
    {
        var changed = Write("sub/deep/a.rego", Unformatted);
        var clean = Write("b.rego", Formatted);
        var other = Write("notes.txt", Unformatted);
        var cleanTime = File.GetLastWriteTimeUtc(clean);

        var result = await VigilCli.RunAsync("policy", "fmt", "-w", _dir);

        Assert.True(result.Exit == 0, result.Err);
        Assert.Equal(Formatted, File.ReadAllText(changed));
        Assert.Equal(Formatted, File.ReadAllText(clean));
        Assert.Equal(cleanTime, File.GetLastWriteTimeUtc(clean));
        Assert.Equal(Unformatted, File.ReadAllText(other));
        Assert.Empty(Directory.EnumerateFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Fmt_ListWithFail_ListsChangedFilesAndExits1_ThenExits0WhenClean()
    {
        var changed = Write("a.rego", Unformatted);
        Write("b.rego", Formatted);

        var list = await VigilCli.RunAsync("policy", "fmt", "-l", "--fail", _dir);
        Assert.Equal(1, list.Exit);
        Assert.Equal(changed, list.Out.Trim());
        Assert.Equal(Unformatted, File.ReadAllText(changed));

        var listOnly = await VigilCli.RunAsync("policy", "fmt", "--list", _dir);
        Assert.Equal(0, listOnly.Exit);

        File.WriteAllText(changed, Formatted);
        var clean = await VigilCli.RunAsync("policy", "fmt", "-l", "--fail", _dir);
        Assert.Equal((0, ""), (clean.Exit, clean.Out));
    }

    [Fact]
    public async Task Fmt_Diff_PrintsUnifiedDiff()
    {
        var file = Write("a.rego", Unformatted);

        var result = await VigilCli.RunAsync("policy", "fmt", "-d", "--fail", file);

        Assert.Equal(1, result.Exit);
        var expected = $"--- {file}\n+++ {file} (formatted)\n@@ -1,4 +1,5 @@\n package p\n+\n allow if {{\n-    input.x   # why\n+\tinput.x # why\n }}\n";
        Assert.Equal(expected, result.Out);
    }

    [Fact]
    public async Task Fmt_ParseError_ReportsLocationExits2AndStillFormatsOtherFiles()
    {
        var bad = Write("a_bad.rego", "package p\n\nallow if {\n\tinput.x ==\n}\n");
        var good = Write("b_good.rego", Unformatted);

        var result = await VigilCli.RunAsync("policy", "fmt", "-w", _dir);

        Assert.Equal(2, result.Exit);
        Assert.Contains($"{bad}:5:1: rego_parse_error: ", result.Err, StringComparison.Ordinal);
        Assert.Equal("package p\n\nallow if {\n\tinput.x ==\n}\n", File.ReadAllText(bad));
        Assert.Equal(Formatted, File.ReadAllText(good));
    }

    [Fact]
    public async Task Fmt_Stdin_PrintsFormatted()
    {
        var result = await VigilCli.RunWithStdinAsync(Unformatted, "policy", "fmt", "-");

        Assert.True(result.Exit == 0, result.Err);
        Assert.Equal(Formatted, result.Out);
    }

    [Fact]
    public async Task Fmt_MissingPath_Exits2()
    {
        var result = await VigilCli.RunAsync("policy", "fmt", Path.Combine(_dir, "missing.rego"));

        Assert.Equal(2, result.Exit);
        Assert.Contains("no such file or directory", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fmt_Help_DescribesEveryOption()
    {
        var result = await VigilCli.RunAsync("policy", "fmt", "--help");

        Assert.Equal(0, result.Exit);
        foreach (var option in new[] { "--write", "-w", "--list", "-l", "--diff", "-d", "--fail", "--v0-compatible", "paths" })
        {
            Assert.Contains(option, result.Out, StringComparison.Ordinal);
        }
    }
}
