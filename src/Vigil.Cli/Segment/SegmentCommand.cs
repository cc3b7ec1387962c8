using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Vigil.Segmentation.BlastRadius;
using Vigil.Segmentation.Compilers;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Diff;
using Vigil.Segmentation.Graph;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Lint;
using Vigil.Segmentation.Output;
using Vigil.Segmentation.Reachability;

namespace Vigil.Cli.Segment;

/// <summary>
/// <c>vigil segment ...</c>: analyze, lint, blast-radius, diff, compile and graph for Kubernetes NetworkPolicies and
/// host groups. Exit codes: 0 success, 1 input errors or findings at or above <c>--fail-on</c>, 2 unexpected failure.
/// </summary>
public static class SegmentCommand
{
    public static Command Create()
    {
        var command = new Command("segment", "Micro-segmentation: analyse, lint, diff and compile Kubernetes NetworkPolicies and host groups (segments.yaml).");
        command.Subcommands.Add(Analyze());
        command.Subcommands.Add(Lint());
        command.Subcommands.Add(Blast());
        command.Subcommands.Add(DiffCommand());
        command.Subcommands.Add(Compile());
        command.Subcommands.Add(GraphCommand());
        return command;
    }

    private static Argument<string[]> PathsArgument() => new("paths")
    {
        Description = "YAML/JSON files or directories: NetworkPolicies plus the namespace/pod inventory (kubectl get namespaces,pods -A -o yaml), or one segments.yaml",
        Arity = ArgumentArity.OneOrMore,
    };

    private static Option<string> FormatOption()
    {
        var o = new Option<string>("--format") { Description = "Output format: table or json", DefaultValueFactory = _ => "table" };
        o.AcceptOnlyFromAmong("table", "json");
        return o;
    }

    private sealed record Loaded(LoadResult Result, ReachabilityMatrix Matrix);

    /// <summary>Loads paths, prints diagnostics to stderr; null when there were errors.</summary>
    private static Loaded? Load(IEnumerable<string> paths, TextWriter error, bool quiet = false)
    {
        var result = KubernetesLoader.LoadPaths(paths);
        if (!quiet) ReportWriter.Diagnostics(result.Diagnostics, error);
        if (result.HasErrors) return null;
        if (result.Segments is not null && result.KubernetesObjects > 0)
        {
            error.WriteLine($"error {SegmentationErrorCodes.InvalidField}: give either a segments file or Kubernetes objects, not both");
            return null;
        }
        var matrix = result.Segments is not null ? HostGroupAnalyzer.Analyze(result.Segments) : KubernetesAnalyzer.Analyze(result.Cluster);
        if (matrix.Endpoints.Count == 0 && !quiet)
            error.WriteLine("warning: no pods or groups to analyse; add the inventory (kubectl get namespaces,pods -A -o yaml) or a segments.yaml");
        return new Loaded(result, matrix);
    }

    private static void WriteJson(TextWriter output, Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        output.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
    }

    private static Command Analyze()
    {
        var paths = PathsArgument();
        var format = new Option<string>("--format") { Description = "Output format: table (one row per allowed flow), grid (source x destination) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "grid", "json");
        var explain = new Option<string[]>("--explain")
        {
            Description = "Explain one flow: SRC DST PORT (pods as ns/name, groups by name, or IP addresses; PORT as 8080, tcp/8080 or udp/53)",
            Arity = new ArgumentArity(3, 3),
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("analyze", "Print the reachability matrix (who may connect to whom, on which ports).") { paths, format, explain };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var loaded = Load(parse.GetValue(paths)!, error);
            if (loaded is null) return 1;
            var ex = parse.GetValue(explain);
            if (ex is { Length: 3 })
            {
                if (!Explainer.TryParsePort(ex[2], out var proto, out var port))
                {
                    error.WriteLine($"error: '{ex[2]}' is not a port (8080, tcp/8080, udp/53)");
                    return 1;
                }
                var e = loaded.Result.Segments is not null
                    ? Explainer.Explain(loaded.Result.Segments, ex[0], ex[1], proto, port)
                    : Explainer.Explain(loaded.Result.Cluster, ex[0], ex[1], proto, port);
                output.WriteLine(e.ToString());
                return 0;
            }
            switch (parse.GetValue(format))
            {
                case "json": WriteJson(output, s => ReportWriter.MatrixJson(loaded.Matrix, s)); break;
                case "grid": ReportWriter.MatrixGrid(loaded.Matrix, output); break;
                default: ReportWriter.MatrixTable(loaded.Matrix, output); break;
            }
            return 0;
        });
        return command;
    }

    private static Command Lint()
    {
        var paths = PathsArgument();
        var format = FormatOption();
        var failOn = new Option<string>("--fail-on") { Description = "Lowest severity that makes the exit code 1: error (default), warning or info", DefaultValueFactory = _ => "error" };
        failOn.AcceptOnlyFromAmong("error", "warning", "info");
        var command = new Command("lint", "Report risky or meaningless policies with severity and file:line; exit 1 on errors (for CI).") { paths, format, failOn };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var result = KubernetesLoader.LoadPaths(parse.GetValue(paths)!);
            var findings = new List<Diagnostic>(result.Diagnostics);
            if (!result.HasErrors)
            {
                if (result.Segments is not null) findings.AddRange(SegmentsLinter.Lint(result.Segments));
                if (result.KubernetesObjects > 0) findings.AddRange(KubernetesLinter.Lint(result.Cluster));
            }
            if (parse.GetValue(format) == "json") WriteJson(output, s => ReportWriter.DiagnosticsJson(findings, s));
            else
            {
                ReportWriter.Diagnostics(findings, output);
                output.WriteLine($"{findings.Count(f => f.Severity == DiagnosticSeverity.Error)} error(s), {findings.Count(f => f.Severity == DiagnosticSeverity.Warning)} warning(s), {findings.Count(f => f.Severity == DiagnosticSeverity.Info)} info");
            }
            var threshold = parse.GetValue(failOn) switch { "warning" => DiagnosticSeverity.Warning, "info" => DiagnosticSeverity.Info, _ => DiagnosticSeverity.Error };
            return findings.Any(f => f.Severity >= threshold) ? 1 : 0;
        });
        return command;
    }

    private static Command Blast()
    {
        var workload = new Argument<string>("workload") { Description = "The compromised workload: ns/pod, ns/app (app label), a pod-name prefix, or a group name" };
        var paths = PathsArgument();
        var format = FormatOption();
        var command = new Command("blast-radius", "Everything a compromised workload can reach, directly and transitively, ranked by sensitivity, shortest paths first.") { workload, paths, format };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var loaded = Load(parse.GetValue(paths)!, error);
            if (loaded is null) return 1;
            var name = parse.GetValue(workload)!;
            var start = BlastRadiusAnalyzer.Resolve(loaded.Matrix, name);
            if (start.Count == 0)
            {
                error.WriteLine($"error: no endpoint or workload named '{name}'");
                return 1;
            }
            var r = BlastRadiusAnalyzer.Analyze(loaded.Matrix, start);
            if (parse.GetValue(format) == "json") WriteJson(output, s => ReportWriter.BlastRadiusJson(r, s));
            else ReportWriter.BlastRadius(r, output);
            return 0;
        });
        return command;
    }

    private static Command DiffCommand()
    {
        var oldPath = new Argument<string>("old") { Description = "The current policies (file or directory)" };
        var newPath = new Argument<string>("new") { Description = "The proposed policies (file or directory)" };
        var inventory = new Option<string[]>("--inventory") { Description = "Inventory files/directories loaded with both sides", AllowMultipleArgumentsPerToken = true };
        var format = FormatOption();
        var failOnOpen = new Option<bool>("--fail-on-open") { Description = "Exit 1 when the change opens any flow" };
        var command = new Command("diff", "Which flows a policy change opens or closes.") { oldPath, newPath, inventory, format, failOnOpen };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var inv = parse.GetValue(inventory) ?? [];
            var before = Load([parse.GetValue(oldPath)!, .. inv], error);
            var after = Load([parse.GetValue(newPath)!, .. inv], error);
            if (before is null || after is null) return 1;
            var d = MatrixDiff.Compare(before.Matrix, after.Matrix);
            if (parse.GetValue(format) == "json") WriteJson(output, s => ReportWriter.DiffJson(d, s));
            else ReportWriter.Diff(d, output);
            return parse.GetValue(failOnOpen) && d.Opened.Count > 0 ? 1 : 0;
        });
        return command;
    }

    private static Command Compile()
    {
        var path = new Argument<string>("segments") { Description = "The segments.yaml file" };
        var target = new Option<string>("--target") { Description = "nftables (default), iptables (ipset + iptables-restore) or networkpolicy", DefaultValueFactory = _ => "nftables" };
        target.AcceptOnlyFromAmong("nftables", "iptables", "networkpolicy");
        var audit = new Option<bool>("--audit") { Description = "Audit mode: accept what would be dropped, but count and log it" };
        var outDir = new Option<string?>("--output", "-o") { Description = "Directory to write one file per host into (default: print to stdout)" };
        var command = new Command("compile", "Compile segments.yaml to per-host nftables or iptables rules, or to Kubernetes NetworkPolicies.") { path, target, audit, outDir };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var result = KubernetesLoader.LoadPaths([parse.GetValue(path)!]);
            ReportWriter.Diagnostics(result.Diagnostics, error);
            if (result.HasErrors) return 1;
            if (result.Segments is null)
            {
                error.WriteLine($"error {SegmentationErrorCodes.MissingField}: no 'kind: Segments' document found");
                return 1;
            }
            var bag = new DiagnosticBag();
            var mode = parse.GetValue(audit) ? CompileMode.Audit : CompileMode.Enforce;
            var files = parse.GetValue(target) switch
            {
                "iptables" => IptablesCompiler.Compile(result.Segments, mode, bag),
                "networkpolicy" => NetworkPolicyCompiler.Compile(result.Segments, mode, bag),
                _ => NftablesCompiler.Compile(result.Segments, mode, bag),
            };
            ReportWriter.Diagnostics(bag.Items, error);
            if (bag.HasErrors) return 1;
            var dir = parse.GetValue(outDir);
            foreach (var f in files)
            {
                if (dir is null)
                {
                    output.WriteLine($"### {f.FileName}");
                    output.Write(f.Content);
                }
                else
                {
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, f.FileName), f.Content);
                    output.WriteLine($"wrote {Path.Combine(dir, f.FileName)}");
                }
            }
            return 0;
        });
        return command;
    }

    private static Command GraphCommand()
    {
        var paths = PathsArgument();
        var outFile = new Option<string>("--output", "-o") { Description = "Output file: .svg, or .png (rendered with rsvg-convert or chromium)", Required = true };
        var title = new Option<string?>("--title") { Description = "Title shown on the picture" };
        var command = new Command("graph", "Draw segments and allowed flows (SVG or PNG).") { paths, outFile, title };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var loaded = Load(parse.GetValue(paths)!, error);
            if (loaded is null) return 1;
            var name = loaded.Result.Segments?.Name ?? "cluster";
            var svg = SvgGraphRenderer.Render(loaded.Matrix, parse.GetValue(title) ?? $"Segments and allowed flows: {name}");
            var file = parse.GetValue(outFile)!;
            if (file.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                var svgFile = Path.ChangeExtension(file, ".svg");
                File.WriteAllText(svgFile, svg);
                if (!RenderPng(svgFile, file, error)) return 1;
            }
            else
            {
                File.WriteAllText(file, svg);
            }
            output.WriteLine($"wrote {file}");
            return 0;
        });
        return command;
    }

    private static bool RenderPng(string svg, string png, TextWriter error)
    {
        foreach (var (exe, args) in new[]
        {
            ("rsvg-convert", new[] { "-o", png, svg }),
            ("chromium", new[] { "--headless", "--no-sandbox", "--disable-gpu", "--screenshot=" + Path.GetFullPath(png), "--window-size=1600,1000", "file://" + Path.GetFullPath(svg) }),
        })
        {
            try
            {
                var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in args) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                p.StandardOutput.ReadToEnd();
                p.StandardError.ReadToEnd();
                if (!p.WaitForExit(60_000)) { p.Kill(true); continue; }
                if (p.ExitCode == 0 && File.Exists(png)) return true;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed; try the next renderer.
            }
        }
        error.WriteLine("error: could not render PNG (install librsvg2-bin or chromium); write .svg instead");
        return false;
    }
}
