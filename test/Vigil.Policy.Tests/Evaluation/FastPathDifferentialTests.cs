using Microsoft.Extensions.Time.Testing;
using Vigil.Policy.Testing.Conformance;
using Vigil.Policy.Values;
using Xunit.Abstractions;

namespace Vigil.Policy.Tests.Evaluation;

/// <summary>
/// The evaluator's fast paths (ground-test loops, direct function calls, reused evaluator state) must not change
/// semantics: every OPA conformance case is evaluated with and without them and the outcomes (rows, values, error
/// codes and messages, print output) must be identical. Also: reuse across threads, after errors and when nested.
/// </summary>
public sealed class FastPathDifferentialTests
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(2);

    private readonly ITestOutputHelper _output;

    public FastPathDifferentialTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [SharedSuiteFact]
    public void Evaluate_EveryConformanceCase_FastAndGeneralPathsAgree()
    {
        var suite = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "conformance", "opa", "v1"));
        Assert.True(Directory.Exists(suite), $"conformance suite not found at {suite}");
        var cases = ConformanceSuite.Load(suite);
        Assert.True(cases.Count > 2000, $"expected the full v1 suite, loaded {cases.Count} cases");

        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        var compared = 0;
        var next = -1;
        var workers = Enumerable.Range(0, 2).Select(_ => new Thread(
            () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < cases.Count)
                {
                    var c = cases[i];
                    if (Prepare(c) is not { } prepared)
                    {
                        continue;
                    }

                    var fast = Outcome(prepared.Query, prepared.Input, c, general: false);
                    var general = Outcome(prepared.Query, prepared.Input, c, general: true);
                    if (fast == general)
                    {
                        Interlocked.Increment(ref compared);
                        continue;
                    }

                    // Nondeterministic builtins (rand, uuid) or a deadline hit under load: only a repeatable difference counts.
                    var again = Outcome(prepared.Query, prepared.Input, c, general: true);
                    if (again == general && !general.Contains("eval_cancel_error", StringComparison.Ordinal))
                    {
                        mismatches.Add($"{c.Note}:\n  fast:    {Trim(fast)}\n  general: {Trim(general)}");
                    }
                }
            },
            16 * 1024 * 1024) { IsBackground = true }).ToList();
        workers.ForEach(static w => w.Start());
        foreach (var worker in workers)
        {
            Assert.True(worker.Join(TimeSpan.FromMinutes(10)), "differential run did not finish in time");
        }

        foreach (var m in mismatches.Take(20))
        {
            _output.WriteLine(m);
        }

        _output.WriteLine($"{compared} cases agree");
        Assert.Empty(mismatches);
        Assert.True(compared > 1500, $"only {compared} cases were compared");
    }

    [SharedSuiteFact]
    public void Evaluate_ManyThreadsOneQuery_EachDecisionMatchesItsInput()
    {
        var policy = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", """
            package authz
            default allow := false
            allow if {
                input.role == "admin"
                trusted(input.score, 80)
            }
            trusted(score, min) if score > min
            reasons contains "low score" if not trusted(input.score, 80)
            """).Compile();
        var allow = policy.Prepare("data.authz.allow");
        var reasons = policy.Prepare("data.authz.reasons");
        var failures = 0;
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                var score = (i + t) % 100;
                var input = Value.FromJson($$"""{"role":"{{(i % 3 == 0 ? "admin" : "dev")}}","score":{{score}}}""");
                var expected = i % 3 == 0 && score > 80;
                var decision = allow.Evaluate(input);
                var why = reasons.Evaluate(input)[0].Expressions[0];
                if (decision[0].Expressions[0] != Value.From(expected) || ((SetValue)why).Count != (score > 80 ? 0 : 1))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToList();
        threads.ForEach(static t => t.Start());
        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "evaluation threads did not finish in time");
        }

        Assert.Equal(0, failures);
    }

    [SharedSuiteFact]
    public void Evaluate_AfterAConflictError_NextEvaluationOnTheThreadIsCorrect()
    {
        var policy = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", """
            package p
            f(x) := 1 if x > 0
            f(x) := 2 if x > 1
            r := f(input.x)
            now := time.now_ns()
            """).Compile();
        var query = policy.Prepare("data.p.r");
        var now = policy.Prepare("data.p.now");
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        var error = Assert.Throws<PolicyEvaluationException>(() => query.Evaluate(Value.FromJson("""{"x":5}""")));
        var first = now.Evaluate(null, new EvaluationOptions { TimeProvider = clock });
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = now.Evaluate(null, new EvaluationOptions { TimeProvider = clock });

        Assert.Equal(PolicyErrorCodes.EvalConflictError, error.Code);
        Assert.Equal(Value.From(1), Assert.Single(query.Evaluate(Value.FromJson("""{"x":1}"""))).Expressions[0]);
        Assert.Equal(Value.From(1_700_000_000_000_000_000L), first[0].Expressions[0]);
        Assert.Equal(Value.From(1_700_000_001_000_000_000L), second[0].Expressions[0]);
    }

    [SharedSuiteFact]
    public void Evaluate_SameInputWithSmallerMaxDepth_StillRejected()
    {
        var query = new PolicyEngine().AddModule("p.rego", "package p\nx := input.a").Compile().Prepare("data.p.x");
        var input = Value.FromJson("""{"a": [[[[[[1]]]]]]}""");

        var deep = query.Evaluate(input, new EvaluationOptions { MaxDepth = 100 });
        var error = Assert.Throws<PolicyEvaluationException>(() => query.Evaluate(input, new EvaluationOptions { MaxDepth = 5 }));
        var exact = query.Evaluate(input, new EvaluationOptions { MaxDepth = 7 });

        Assert.Equal("[[[[[[1]]]]]]", deep[0].Expressions[0].ToJson());
        Assert.Equal(PolicyErrorCodes.EvalLimitError, error.Code);
        Assert.Single(exact);
        Assert.Throws<PolicyEvaluationException>(() => query.Evaluate(input, new EvaluationOptions { MaxDepth = 6 }));
    }

    [SharedSuiteFact]
    public void Evaluate_MeasuredPartReusedDeeper_DepthAddsUp()
    {
        // The depth of a part measured in one input is remembered; placed deeper in another input it must still count.
        var query = new PolicyEngine().AddModule("p.rego", "package p\nx := count(input)").Compile().Prepare("data.p.x");
        var options = new EvaluationOptions { MaxDepth = 6 };
        var part = Value.FromJson("""{"b": [[1]], "c": {"d": 1}}"""); // depth 3
        query.Evaluate(ObjectValue.Create([new KeyValuePair<string, Value>("a", part)]), options);

        var fits = Wrap(Wrap(Wrap(part))); // 3 + 3 = 6
        var tooDeep = Wrap(Wrap(Wrap(Wrap(part)))); // 7

        Assert.Single(query.Evaluate(fits, options));
        var error = Assert.Throws<PolicyEvaluationException>(() => query.Evaluate(tooDeep, options));
        Assert.Equal(PolicyErrorCodes.EvalLimitError, error.Code);

        static Value Wrap(Value inner) => ObjectValue.Create([new KeyValuePair<string, Value>("w", inner)]);
    }

    [SharedSuiteFact]
    public void Evaluate_ShallowSiblingOfDeepPart_KeepsItsOwnDepth()
    {
        // Siblings are walked together: a shallow one must not be charged with its deep sibling's depth when reused.
        var query = new PolicyEngine().AddModule("p.rego", "package p\nx := count(input)").Compile().Prepare("data.p.x");
        var shallow = Value.FromJson("""{"s": 1}""");
        var deep = Value.FromJson("""[[[[[1]]]]]""");
        var first = ObjectValue.Create([new KeyValuePair<string, Value>("shallow", shallow), new KeyValuePair<string, Value>("deep", deep)]);
        query.Evaluate(first, new EvaluationOptions { MaxDepth = 10 });

        var reused = ArrayValue.Create([ArrayValue.Create([shallow])]); // 2 + 1 = 3
        Assert.Single(query.Evaluate(reused, new EvaluationOptions { MaxDepth = 3 }));
        Assert.Throws<PolicyEvaluationException>(() => query.Evaluate(ArrayValue.Create([ArrayValue.Create([deep])]), new EvaluationOptions { MaxDepth = 6 }));
    }

    [SharedSuiteFact]
    public void Evaluate_DataRefUnderWithData_SeesOverrideNotCachedPath()
    {
        var policy = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", """
            package p
            roles := data.config.roles
            mocked := r if r := roles with data.config.roles as ["mock"]
            """).AddDataJson("""{"config": {"roles": ["admin"]}}""").Compile();

        var plain = policy.Evaluate("data.p.roles");
        var mocked = policy.Evaluate("data.p.mocked");
        var plainAgain = policy.Evaluate("data.p.roles");

        Assert.Equal("""["admin"]""", plain[0].Expressions[0].ToJson());
        Assert.Equal("""["mock"]""", mocked[0].Expressions[0].ToJson());
        Assert.Equal("""["admin"]""", plainAgain[0].Expressions[0].ToJson());
    }

    [SharedSuiteFact]
    public void Evaluate_PrintHookEvaluatesAnotherQuery_BothResultsCorrect()
    {
        var policy = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", """
            package p
            f(x) := x + 1
            outer := y if {
                y := f(input.n)
                print("outer", y)
                y > 0
            }
            inner := f(input.n) * 10
            """).Compile();
        var outer = policy.Prepare("data.p.outer");
        var inner = policy.Prepare("data.p.inner");
        var seen = new List<Value>();
        var options = new EvaluationOptions
        {
            // Re-entrant use on the same thread: the nested evaluation must not share the outer one's state.
            Print = _ => seen.Add(inner.Evaluate(Value.FromJson("""{"n": 5}"""))[0].Expressions[0]),
        };

        var result = outer.Evaluate(Value.FromJson("""{"n": 1}"""), options);

        Assert.Equal(Value.From(2), Assert.Single(result).Expressions[0]);
        Assert.Equal(Value.From(60), Assert.Single(seen));
        Assert.Equal(Value.From(60), inner.Evaluate(Value.FromJson("""{"n": 5}"""))[0].Expressions[0]);
    }

    [SharedSuiteTheory]
    [InlineData("""x := {"a": 1, "a": 2}""")]
    [InlineData("""x := {"a": [1, {2, 3}], "b": {"c": set()}}""")]
    [InlineData("""x := [{"k": 1} | true]""")]
    public void Evaluate_ConstantLiteralQueryTwice_SameOutcomeAsGeneralPath(string query)
    {
        var policy = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("p.rego", "package p").Compile();
        var prepared = policy.Prepare(query);
        string Run(bool general)
        {
            try
            {
                var result = prepared.Evaluate(null, new EvaluationOptions { GeneralEvaluatorOnly = general });
                return string.Join(" | ", result.Select(static r => string.Join(", ", r.Expressions)));
            }
            catch (PolicyException e)
            {
                return e.Code + ": " + e.Message;
            }
        }

        var fast = Run(general: false);

        Assert.Equal(Run(general: true), fast);
        Assert.Equal(fast, Run(general: false));
    }

    [SharedSuiteFact]
    public void Evaluate_MembershipInConstantSet_FollowsEachInput()
    {
        var query = new PolicyEngine().AddModule("p.rego", """
            package p
            safe { input.method in {"GET", "HEAD"} }
            """).Compile().Prepare("data.p.safe");

        Assert.Single(query.Evaluate(Value.FromJson("""{"method": "GET"}""")));
        Assert.True(query.Evaluate(Value.FromJson("""{"method": "POST"}""")).IsUndefined);
        Assert.Single(query.Evaluate(Value.FromJson("""{"method": "HEAD"}""")));
    }

    private static (PreparedQuery Query, Value? Input)? Prepare(ConformanceCase c)
    {
        try
        {
            var engine = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 });
            for (var i = 0; i < c.Modules.Count; i++)
            {
                engine.AddModule($"test-{i}.rego", c.Modules[i]);
            }

            if (c.Data is not null)
            {
                engine.AddData(c.Data);
            }

            var query = engine.Compile().Prepare(c.Query);
            return (query, c.InputTerm is not null ? PolicyEngine.ParseTerm(c.InputTerm) : c.Input);
        }
        catch (PolicyException)
        {
            return null;
        }
    }

    /// <summary>Everything observable about one evaluation, as text.</summary>
    private static string Outcome(PreparedQuery query, Value? input, ConformanceCase c, bool general)
    {
        var printed = new List<string>();
        var options = new EvaluationOptions
        {
            StrictBuiltinErrors = c.StrictError,
            Timeout = CaseTimeout,
            TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)),
            Print = printed.Add,
            GeneralEvaluatorOnly = general,
        };
        try
        {
            var result = query.Evaluate(input, options);
            var rows = result.Select(static row =>
                "{" + string.Join(", ", row.Bindings.OrderBy(static b => b.Key, StringComparer.Ordinal).Select(static b => $"{b.Key}: {b.Value}"))
                + "} " + string.Join(", ", row.Expressions));
            return $"ok [{string.Join(" | ", rows)}] print [{string.Join(" | ", printed)}]";
        }
        catch (PolicyException e)
        {
            return $"error {e.Code}: {e.Message} print [{string.Join(" | ", printed)}]";
        }
    }

    private static string Trim(string text) => text.Length > 400 ? text[..400] + "..." : text;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Vigil.slnx) not found");
    }
}
