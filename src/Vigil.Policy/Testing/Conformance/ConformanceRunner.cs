using System.Diagnostics;
using System.Text;
using Vigil.Policy.Values;

namespace Vigil.Policy.Testing.Conformance;

/// <summary>Runs OPA conformance cases and judges them as OPA's <c>TestRego</c> does.</summary>
public static class ConformanceRunner
{
    /// <summary>Default time allowed for one case.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs one case with a deadline; a case that hangs fails instead of blocking the suite.</summary>
    public static ConformanceOutcome Run(ConformanceCase testCase, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var stopwatch = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource();
        string? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    failure = Judge(testCase, limit, cts.Token);
                }
                catch (Exception e)
                {
                    failure = $"runner exception: {e.GetType().Name}: {e.Message}";
                }
            },
            16 * 1024 * 1024)
        {
            IsBackground = true,
            Name = "conformance",
        };
        thread.Start();
        if (!thread.Join(limit + TimeSpan.FromSeconds(1)))
        {
            cts.Cancel();
            if (!thread.Join(TimeSpan.FromSeconds(1)))
            {
                return new ConformanceOutcome(testCase, false, $"timed out after {limit.TotalSeconds:0.#} s", stopwatch.Elapsed);
            }
        }

        return new ConformanceOutcome(testCase, failure is null, failure, stopwatch.Elapsed);
    }

    /// <summary>Runs many cases (in input order), using up to <paramref name="maxParallelism"/> threads.</summary>
    public static IReadOnlyList<ConformanceOutcome> RunAll(IEnumerable<ConformanceCase> cases, TimeSpan? timeout = null, int maxParallelism = 1)
    {
        var list = cases as IReadOnlyList<ConformanceCase> ?? cases.ToList();
        var outcomes = new ConformanceOutcome[list.Count];
        Parallel.For(0, list.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxParallelism) }, i => outcomes[i] = Run(list[i], timeout));
        return outcomes;
    }

    /// <summary>Per-folder pass/fail counts, ordered by folder name.</summary>
    public static IReadOnlyList<ConformanceFolderSummary> Summarize(IEnumerable<ConformanceOutcome> outcomes) =>
        outcomes.GroupBy(static o => o.Folder, StringComparer.Ordinal)
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .Select(static g => new ConformanceFolderSummary(g.Key, g.Count(static o => o.Passed), g.Count(static o => !o.Passed)))
            .ToList();

    /// <summary>A per-folder table ending with <c>N passed, N failed</c>.</summary>
    public static string FormatTable(IEnumerable<ConformanceOutcome> outcomes)
    {
        var list = outcomes as IReadOnlyCollection<ConformanceOutcome> ?? outcomes.ToList();
        var summary = Summarize(list);
        var width = Math.Max(6, summary.Count == 0 ? 6 : summary.Max(static s => s.Folder.Length));
        var builder = new StringBuilder();
        builder.Append("folder".PadRight(width)).AppendLine("  passed  failed  total");
        foreach (var s in summary)
        {
            builder.Append(s.Folder.PadRight(width))
                .Append(s.Passed.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(8))
                .Append(s.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(8))
                .AppendLine(s.Total.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(7));
        }

        var passed = list.Count(static o => o.Passed);
        builder.Append(passed).Append(" passed, ").Append(list.Count - passed).Append(" failed");
        return builder.ToString();
    }

    /// <summary>Returns null when the case passes, else the reason it fails.</summary>
    private static string? Judge(ConformanceCase c, TimeSpan timeout, CancellationToken token)
    {
        var wantsError = c.WantError is not null || c.WantErrorCode is not null;
        QueryResult result;
        try
        {
            var engine = new PolicyEngine(new PolicyOptions { RegoVersion = c.RegoVersion });
            for (var i = 0; i < c.Modules.Count; i++)
            {
                engine.AddModule($"test-{i}.rego", c.Modules[i]);
            }

            if (c.Data is not null)
            {
                engine.AddData(c.Data);
            }

            var policy = engine.Compile();
            var query = policy.Prepare(c.Query);
            var input = c.InputTerm is not null ? PolicyEngine.ParseTerm(c.InputTerm) : c.Input;
            result = query.Evaluate(input, new EvaluationOptions
            {
                StrictBuiltinErrors = c.StrictError,
                Timeout = timeout,
                CancellationToken = token,
            });
        }
        catch (PolicyException e)
        {
            if (!wantsError)
            {
                return $"unexpected error: {e.Message}";
            }

            if (c.WantErrorCode is not null && !string.Equals(e.Code, c.WantErrorCode, StringComparison.Ordinal))
            {
                return $"want error code {c.WantErrorCode}, got {e.Code}: {e.Message}";
            }

            if (c.WantError is not null && !e.Message.Contains(c.WantError, StringComparison.Ordinal))
            {
                return $"want error containing \"{c.WantError}\", got: {e.Message}";
            }

            return null;
        }

        if (wantsError)
        {
            return $"want error {c.WantErrorCode} \"{c.WantError}\", got {result.Count} result(s)";
        }

        if (c.WantResult is null)
        {
            return null;
        }

        var got = new List<Value>();
        foreach (var row in result)
        {
            var dict = new Dictionary<Value, Value>();
            foreach (var (name, value) in row.Bindings)
            {
                if (c.IgnoreGeneratedVars && name.StartsWith("__", StringComparison.Ordinal))
                {
                    continue;
                }

                var json = ToJsonShape(value);
                if (c.SortBindings && json is ArrayValue a)
                {
                    json = ArrayValue.Wrap([.. a.OrderBy(static v => v)]);
                }

                dict[StringValue.From(name)] = json;
            }

            got.Add(ObjectValue.Wrap(dict));
        }

        var want = new List<Value>();
        foreach (var row in c.WantResult)
        {
            var dict = new Dictionary<Value, Value>();
            foreach (var (name, value) in row)
            {
                var v = value;
                if (c.SortBindings && v is ArrayValue a)
                {
                    v = ArrayValue.Wrap([.. a.OrderBy(static x => x)]);
                }

                dict[StringValue.From(name)] = v;
            }

            want.Add(ObjectValue.Wrap(dict));
        }

        var gotSet = new HashSet<Value>(got);
        var wantSet = new HashSet<Value>(want);
        if (gotSet.SetEquals(wantSet) && (got.Count == want.Count || gotSet.Count == wantSet.Count))
        {
            return null;
        }

        return $"want {Describe(want)}, got {Describe(got)}";
    }

    private static string Describe(List<Value> rows)
    {
        var text = "[" + string.Join(", ", rows.Select(static r => r.ToJson())) + "]";
        return text.Length > 600 ? text[..600] + "..." : text;
    }

    /// <summary>The value as OPA serializes results to JSON: sets become (sorted) arrays, non-string keys become strings.</summary>
    private static Value ToJsonShape(Value value)
    {
        switch (value)
        {
            case SetValue s:
                {
                    var items = new Value[s.Count];
                    var i = 0;
                    foreach (var item in s.Sorted)
                    {
                        items[i++] = ToJsonShape(item);
                    }

                    return ArrayValue.Wrap(items);
                }

            case ArrayValue a:
                {
                    var items = new Value[a.Count];
                    for (var i = 0; i < items.Length; i++)
                    {
                        items[i] = ToJsonShape(a[i]);
                    }

                    return ArrayValue.Wrap(items);
                }

            case ObjectValue o:
                {
                    var dict = new Dictionary<Value, Value>(o.Count);
                    foreach (var (k, v) in o.Items)
                    {
                        var key = k is StringValue ? k : StringValue.From(k.ToJson());
                        dict[key] = ToJsonShape(v);
                    }

                    return ObjectValue.Wrap(dict);
                }

            default:
                return value;
        }
    }
}
