using System.CommandLine;
using Vigil.Policy.Testing.Conformance;

namespace Vigil.Cli.Policy;

/// <summary><c>vigil policy conformance DIR</c>: runs OPA's conformance cases and prints a per-folder table.</summary>
internal static class ConformanceCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "Folder of OPA conformance YAML cases (e.g. ../shared/conformance/opa/v1)." };
        var folder = new Option<string[]>("--folder") { Description = "Only run these feature folders; repeatable.", AllowMultipleArgumentsPerToken = true };
        var failures = new Option<bool>("--show-failures") { Description = "Print each failing case and why." };
        var passing = new Option<FileInfo?>("--write-passing") { Description = "Write the notes of passing cases to this file (one per line)." };
        var timeout = new Option<TimeSpan>("--timeout") { Description = "Deadline per case.", DefaultValueFactory = _ => TimeSpan.FromSeconds(5) };

        var command = new Command("conformance", "Run OPA's Rego conformance suite; ends with 'N passed, N failed'.") { directory, folder, failures, passing, timeout };
        command.SetAction(parse =>
        {
            var dir = parse.GetRequiredValue(directory);
            if (!dir.Exists)
            {
                Console.Error.WriteLine($"{dir.FullName}: no such directory");
                return 2;
            }

            var cases = ConformanceSuite.Load(dir.FullName);
            var folders = parse.GetValue(folder);
            if (folders is { Length: > 0 })
            {
                var wanted = folders.ToHashSet(StringComparer.Ordinal);
                cases = [.. cases.Where(c => wanted.Contains(c.Folder))];
            }

            Console.Error.WriteLine($"running {cases.Count} cases from {dir.FullName}");
            var outcomes = new List<ConformanceOutcome>(cases.Count);
            foreach (var c in cases)
            {
                outcomes.Add(ConformanceRunner.Run(c, parse.GetValue(timeout)));
                if (outcomes.Count % 250 == 0)
                {
                    Console.Error.WriteLine($"  {outcomes.Count}/{cases.Count}");
                }
            }

            if (parse.GetValue(failures))
            {
                foreach (var o in outcomes.Where(o => !o.Passed))
                {
                    Console.Out.WriteLine($"FAIL {o.Note}: {o.Failure}");
                }

                Console.Out.WriteLine();
            }

            if (parse.GetValue(passing) is { } file)
            {
                File.WriteAllLines(file.FullName, outcomes.Where(o => o.Passed).Select(o => o.Note).Order(StringComparer.Ordinal));
            }

            Console.Out.WriteLine(ConformanceRunner.FormatTable(outcomes));
            return outcomes.All(o => o.Passed) ? 0 : 1;
        });
        return command;
    }
}
