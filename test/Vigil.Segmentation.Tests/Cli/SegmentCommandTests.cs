using System.CommandLine;
using System.Text.Json;
using Vigil.Cli.Segment;

namespace Vigil.Segmentation.Tests.Cli;

public sealed class SegmentCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(SegmentCommand.Create());
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = root.Parse(["segment", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    private static string Ex(string name) => Path.Combine(Support.Yaml.Examples, name);

    [Fact]
    public void Analyze_Table_ListsAllowedFlows()
    {
        var (exit, output, _) = Run("analyze", Ex("cluster"));
        Assert.Equal(0, exit);
        Assert.Contains("shop/api-5c4b-a", output, StringComparison.Ordinal);
        Assert.Contains("5 of 30 ordered pairs allowed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Json_IsValidAndComplete()
    {
        var (exit, output, _) = Run("analyze", Ex("segments.yaml"), "--format", "json");
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(5, doc.RootElement.GetProperty("allowed").GetArrayLength());
        Assert.Equal(5, doc.RootElement.GetProperty("allowedPairs").GetInt64());
    }

    [Fact]
    public void Analyze_Explain_NamesAllowingRule()
    {
        var (exit, output, _) = Run("analyze", Ex("segments.yaml"), "--explain", "app", "10.20.3.31", "tcp/5432");
        Assert.Equal(0, exit);
        Assert.StartsWith("ALLOWED", output, StringComparison.Ordinal);
        Assert.Contains("flows[1]", output, StringComparison.Ordinal);
        var denied = Run("analyze", Ex("segments.yaml"), "--explain", "web", "db", "5432");
        Assert.StartsWith("DENIED", denied.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_Errors_ExitOne_CleanExitZero()
    {
        var bad = Run("lint", Ex("cluster-proposed"));
        Assert.Equal(1, bad.Exit);
        Assert.Contains("error VSL003", bad.Out, StringComparison.Ordinal);
        Assert.Contains("policies.yaml:90:", bad.Out, StringComparison.Ordinal);
        Assert.Equal(0, Run("lint", Ex("cluster")).Exit);
        Assert.Equal(1, Run("lint", Ex("cluster"), "--fail-on", "warning").Exit);
    }

    [Fact]
    public void Lint_InvalidYaml_ExitOneWithLocation()
    {
        var dir = Directory.CreateTempSubdirectory("vgl-cli-");
        try
        {
            var file = Path.Combine(dir.FullName, "bad.yaml");
            File.WriteAllText(file, "kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nmetadata: {name: x}\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{ ipBlock: { cidr: 300.1.1.1/8 } }]\n");
            var (exit, output, _) = Run("lint", file);
            Assert.Equal(1, exit);
            Assert.Contains("bad.yaml:7:", output, StringComparison.Ordinal);
            Assert.Contains("SEG008", output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void BlastRadius_PrintsRankedTargets()
    {
        var (exit, output, _) = Run("blast-radius", "shop/frontend", Ex("cluster-proposed"));
        Assert.Equal(0, exit);
        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("1 ", StringComparison.Ordinal) && l.Contains("critical", StringComparison.Ordinal) && l.Contains("payments/ledger-db-0", StringComparison.Ordinal));
        Assert.Equal(1, Run("blast-radius", "nope/nothing", Ex("cluster")).Exit);
    }

    [Fact]
    public void Diff_FailOnOpen_ExitOne()
    {
        var (exit, output, _) = Run("diff", Ex("cluster"), Ex("cluster-proposed"), "--fail-on-open");
        Assert.Equal(1, exit);
        Assert.Contains("Opened (3):", output, StringComparison.Ordinal);
        Assert.Equal(0, Run("diff", Ex("cluster"), Ex("cluster")).Exit);
    }

    [Fact]
    public void Compile_WritesOneFilePerHost()
    {
        var dir = Directory.CreateTempSubdirectory("vgl-cli-");
        try
        {
            foreach (var target in new[] { "nftables", "iptables", "networkpolicy" })
            {
                var (exit, _, err) = Run("compile", Ex("segments.yaml"), "--target", target, "--audit", "-o", Path.Combine(dir.FullName, target));
                Assert.True(target == "networkpolicy" ? exit == 1 : exit == 0, err);
            }
            Assert.Equal(4, Directory.GetFiles(Path.Combine(dir.FullName, "nftables")).Length);
            Assert.Equal(8, Directory.GetFiles(Path.Combine(dir.FullName, "iptables")).Length);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Graph_WritesSvgWithEveryGroupAndFlow()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vgl-graph-{Guid.NewGuid():N}.svg");
        try
        {
            Assert.Equal(0, Run("graph", Ex("segments.yaml"), "-o", file).Exit);
            var svg = File.ReadAllText(file);
            var doc = System.Xml.Linq.XDocument.Parse(svg);
            Assert.Equal(5, doc.Descendants().Count(e => e.Name.LocalName == "path" && e.Attribute("marker-end") is not null));
            foreach (var g in new[] { "web", "app", "db", "operators", "TCP 5432" }) Assert.Contains(">" + g + "<", svg, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Lint_Json_ListsFindingsWithLocations()
    {
        var (exit, output, _) = Run("lint", Ex("cluster-proposed"), "--format", "json");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(output);
        var error = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("severity").GetString() == "error");
        Assert.Equal("VSL003", error.GetProperty("code").GetString());
        Assert.Equal(90, error.GetProperty("line").GetInt32());
    }

    [Fact]
    public void Analyze_MixedSegmentsAndKubernetes_Refused()
    {
        var (exit, _, err) = Run("analyze", Ex("segments.yaml"), Ex("cluster"));
        Assert.Equal(1, exit);
        Assert.Contains("not both", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_MissingPath_ExitOneWithMessage()
    {
        var (exit, _, err) = Run("analyze", "/nonexistent/vigil");
        Assert.Equal(1, exit);
        Assert.Contains("SEG010", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Grid_OneRowPerSource()
    {
        var (exit, output, _) = Run("analyze", Ex("segments.yaml"), "--format", "grid");
        Assert.Equal(0, exit);
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^app\s+\.\s+-\s+TCP 5432\s+\.$", lines[2]);
    }

    [Fact]
    public void Diff_SegmentsFiles_ShowsClosedFlow()
    {
        var dir = Directory.CreateTempSubdirectory("vgl-cli-");
        try
        {
            var proposed = Path.Combine(dir.FullName, "segments.yaml");
            File.WriteAllText(proposed, File.ReadAllText(Ex("segments.yaml")).Replace("to: [web, app, db]", "to: [web, app]", StringComparison.Ordinal));
            var (exit, output, err) = Run("diff", Ex("segments.yaml"), proposed);
            Assert.True(exit == 0, err);
            Assert.Contains("Opened (0):", output, StringComparison.Ordinal);
            Assert.Contains("- operators -> db: TCP 22", output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Graph_Png_RenderedWithRsvgConvert()
    {
        var dir = Directory.CreateTempSubdirectory("vgl-png-");
        try
        {
            var png = Path.Combine(dir.FullName, "plant.png");
            var (exit, _, err) = Run("graph", Ex("cluster"), "-o", png);
            Assert.True(exit == 0, err);
            var head = File.ReadAllBytes(png).AsSpan(0, 8).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, head);
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
