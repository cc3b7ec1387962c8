using System.CommandLine;
using System.Text;
using Vigil.Policy;
using Vigil.Policy.Formatting;

namespace Vigil.Cli.Policy;

/// <summary>
/// <c>vigil policy fmt</c>: like <c>opa fmt</c>. Exit 0 when everything formatted (and, with <c>--fail</c>, nothing
/// would change), 1 with <c>--fail</c> when some file would change, 2 when a file does not parse, cannot be formatted
/// safely, or cannot be read or written (other files are still processed).
/// </summary>
internal static class FmtCommand
{
    private const string StdinName = "-";

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Rego files, or folders searched recursively for *.rego; '-' reads one module from standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        var write = new Option<bool>("--write", "-w") { Description = "Rewrite files whose formatting differs, in place (atomically: temp file + rename)." };
        var list = new Option<bool>("--list", "-l") { Description = "List files whose formatting differs instead of printing them." };
        var diff = new Option<bool>("--diff", "-d") { Description = "Print a unified diff of the changes formatting would make." };
        var fail = new Option<bool>("--fail") { Description = "Exit 1 when any file's formatting differs (for CI; combine with -l or -d to see which)." };
        var v0 = new Option<bool>("--v0-compatible")
        {
            Description = "Parse modules as Rego v0 and keep v0 syntax (if/contains only where written, all imports kept). "
                + "Without it, v1 modules are printed in v1 syntax and modules that only parse as v0 keep v0 syntax.",
        };

        var command = new Command("fmt", "Format Rego files in OPA's canonical style (like opa fmt); prints the result, or lists, diffs or rewrites files.")
        {
            paths, write, list, diff, fail, v0,
        };
        command.SetAction(parse => Run(
            parse.GetRequiredValue(paths),
            new Settings(parse.GetValue(write), parse.GetValue(list), parse.GetValue(diff), parse.GetValue(fail), new RegoFormatOptions { V0Compatible = parse.GetValue(v0) }),
            Console.In,
            Console.Out,
            Console.Error));
        return command;
    }

    private sealed record Settings(bool Write, bool List, bool Diff, bool Fail, RegoFormatOptions Options);

    private static int Run(string[] paths, Settings settings, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var errors = false;
        var changed = false;
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (path == StdinName)
            {
                if (settings.Write)
                {
                    stderr.WriteLine("-: --write cannot rewrite standard input");
                    errors = true;
                    continue;
                }

                files.Add(StdinName);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.rego", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                stderr.WriteLine($"{path}: no such file or directory");
                errors = true;
            }
        }

        foreach (var file in files)
        {
            string text;
            try
            {
                text = file == StdinName ? stdin.ReadToEnd() : File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"{file}: cannot read: {ex.Message}");
                errors = true;
                continue;
            }

            var result = RegoFormatter.Format(file, text, settings.Options);
            if (!result.Succeeded)
            {
                foreach (var e in result.Errors)
                {
                    stderr.WriteLine(e.Location is { } location ? $"{location}: {e.Code}: {e.Message}" : $"{file}: {e.Code}: {e.Message}");
                }

                errors = true;
                continue;
            }

            changed |= result.Changed;
            var output = result.Output!;
            if (settings.List && result.Changed)
            {
                stdout.WriteLine(file);
            }

            if (settings.Diff && result.Changed)
            {
                stdout.Write(UnifiedDiff.Create(file, text, output));
            }

            if (settings.Write && result.Changed)
            {
                try
                {
                    WriteAtomically(file, output);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"{file}: cannot write: {ex.Message}");
                    errors = true;
                }
            }

            if (!settings.List && !settings.Diff && !settings.Write)
            {
                stdout.Write(output);
            }
        }

        return errors ? 2 : settings.Fail && changed ? 1 : 0;
    }

    /// <summary>Writes beside the file and renames over it, so a reader never sees a half-written policy.</summary>
    private static void WriteAtomically(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.fmt.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
