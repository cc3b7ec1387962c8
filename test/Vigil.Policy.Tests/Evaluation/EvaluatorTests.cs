using Vigil.Policy.Values;

namespace Vigil.Policy.Tests.Evaluation;

public sealed class EvaluatorTests
{
    private static CompiledPolicy Compile(string module, string? dataJson = null)
    {
        var engine = new PolicyEngine(new PolicyOptions { RegoVersion = RegoVersion.V1 }).AddModule("policy.rego", module);
        if (dataJson is not null)
        {
            engine.AddDataJson(dataJson);
        }

        return engine.Compile();
    }

    [Fact]
    public void Evaluate_AdminRole_Allows()
    {
        var policy = Compile("""
            package authz
            default allow := false
            allow if input.user.role == "admin"
            """);
        var query = policy.Prepare("data.authz.allow");

        var admin = query.Evaluate(Value.FromJson("""{"user":{"role":"admin"}}"""));
        var guest = query.Evaluate(Value.FromJson("""{"user":{"role":"guest"}}"""));

        Assert.Equal(Value.True, Assert.Single(admin).Expressions[0]);
        Assert.Equal(Value.False, Assert.Single(guest).Expressions[0]);
    }

    [Fact]
    public void Evaluate_UndefinedRuleWithoutDefault_IsUndefined()
    {
        var policy = Compile("""
            package authz
            allow if input.user.role == "admin"
            """);

        var result = policy.Evaluate("data.authz.allow", Value.FromJson("""{"user":{"role":"guest"}}"""));

        Assert.True(result.IsUndefined);
    }

    [Fact]
    public void Evaluate_DataLookupByInputKey_FindsEntry()
    {
        var policy = Compile(
            """
            package authz
            allow if data.allowed_services[input.resource.name].enabled
            """,
            """{"allowed_services":{"billing":{"enabled":true},"hr":{"enabled":false}}}""");
        var query = policy.Prepare("data.authz.allow");

        Assert.False(query.Evaluate(Value.FromJson("""{"resource":{"name":"billing"}}""")).IsUndefined);
        Assert.True(query.Evaluate(Value.FromJson("""{"resource":{"name":"hr"}}""")).IsUndefined);
        Assert.True(query.Evaluate(Value.FromJson("""{"resource":{"name":"nope"}}""")).IsUndefined);
    }

    [Fact]
    public void Evaluate_QueryVariables_BindsEverySolution()
    {
        var policy = Compile("""
            package t
            roles contains r if some r in ["a", "b", "c"]
            """);

        var result = policy.Evaluate("data.t.roles[x]");

        var values = result.Select(static row => row.Bindings["x"]).Order().ToArray();
        Assert.Equal([Value.From("a"), Value.From("b"), Value.From("c")], values);
    }

    [Fact]
    public void Evaluate_PartialObjectAndComprehension_BuildsValues()
    {
        var policy = Compile("""
            package t
            double[k] := v * 2 if some k, v in {"a": 1, "b": 2}
            keys := [k | some k, _ in double]
            """);

        var result = policy.Evaluate("x := data.t.keys; y := data.t.double.b");

        var row = Assert.Single(result);
        Assert.Equal(Value.FromJson("""["a","b"]"""), row.Bindings["x"]);
        Assert.Equal(Value.From(4), row.Bindings["y"]);
    }

    [Fact]
    public void Evaluate_EveryAndNot_HoldOnlyWhenAllMembersMatch()
    {
        var policy = Compile("""
            package t
            all_small if every x in input.xs { x < 10 }
            none_big if not any_big
            any_big if {
                some x in input.xs
                x >= 10
            }
            """);

        var small = policy.Evaluate("data.t.all_small; data.t.none_big", Value.FromJson("""{"xs":[1,2,3]}"""));
        var mixed = policy.Evaluate("data.t.all_small", Value.FromJson("""{"xs":[1,20]}"""));

        Assert.False(small.IsUndefined);
        Assert.True(mixed.IsUndefined);
    }

    [Fact]
    public void Evaluate_WithInputAndFunctionMock_ReplacesValues()
    {
        var policy = Compile("""
            package t
            f(x) := x + 1
            p := f(input.n)
            q := y if y := p with input.n as 10
            r := y if y := p with f as 100
            """);

        var row = Assert.Single(policy.Evaluate("q := data.t.q; r := data.t.r", Value.FromJson("""{"n":1}""")));

        Assert.Equal(Value.From(11), row.Bindings["q"]);
        Assert.Equal(Value.From(100), row.Bindings["r"]);
    }

    [Fact]
    public void Evaluate_ConflictingCompleteRules_RaisesConflictError()
    {
        var policy = Compile("""
            package t
            p := 1 if input.a
            p := 2 if input.b
            """);

        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", Value.FromJson("""{"a":true,"b":true}""")));

        Assert.Equal(PolicyErrorCodes.EvalConflictError, error.Code);
        Assert.Contains("complete rules must not produce multiple outputs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_StrictBuiltinError_RaisesTypeError()
    {
        var policy = Compile("""
            package t
            p := x if x := 1 + input.s
            """);
        var input = Value.FromJson("""{"s":"a"}""");

        var lenient = policy.Evaluate("data.t.p", input);
        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", input, new EvaluationOptions { StrictBuiltinErrors = true }));

        Assert.True(lenient.IsUndefined);
        Assert.Equal(PolicyErrorCodes.EvalTypeError, error.Code);
    }

    [Fact]
    public void Evaluate_Print_WritesToHook()
    {
        var policy = Compile("""
            package t
            p if print("hello", input.name, input.missing)
            """);
        var lines = new List<string>();

        policy.Evaluate("data.t.p", Value.FromJson("""{"name":"bob"}"""), new EvaluationOptions { Print = lines.Add });

        Assert.Equal(["hello bob <undefined>"], lines);
    }

    [Fact]
    public void Evaluate_InputNested100000Levels_FailsWithLimitErrorNotCrash()
    {
        Value deep = Value.From(1);
        for (var i = 0; i < 100_000; i++)
        {
            deep = ArrayValue.Wrap([deep]);
        }

        var input = ObjectValue.Create([new KeyValuePair<string, Value>("a", deep)]);
        var policy = Compile("""
            package t
            p if input.a == input.a
            """);

        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", input));

        Assert.Equal(PolicyErrorCodes.EvalLimitError, error.Code);
    }

    [Fact]
    public void Evaluate_DynamicSelfReference_FailsWithErrorNotStackOverflow()
    {
        var policy = Compile("""
            package t
            p := data.t[x] if x := "p"
            """);

        var error = Assert.ThrowsAny<PolicyException>(() => policy.Evaluate("data.t.p"));

        Assert.Equal(PolicyErrorCodes.RecursionError, error.Code);
    }

    [Fact]
    public void Compile_RecursiveRules_ReportsRecursionError()
    {
        var error = Assert.Throws<PolicyCompileException>(() => Compile("""
            package t
            p if q
            q if p
            """));

        Assert.Contains(error.Errors, static e => e.Code == PolicyErrorCodes.RecursionError);
    }

    [Fact]
    public void Evaluate_DeepFunctionRecursionThroughMock_FailsWithLimitError()
    {
        // g calls f, and f is mocked by g: a loop only visible at run time.
        var policy = Compile("""
            package t
            f(x) := x
            g(x) := y if y := f(x + 1)
            p := y if y := f(1) with f as g
            q := z if z := p with f as g
            """);

        var result = policy.Evaluate("data.t.p");

        Assert.Equal(Value.From(2), Assert.Single(result).Expressions[0]);
    }

    [Fact]
    public void Evaluate_SlowComprehension_HitsDeadline()
    {
        var policy = Compile("""
            package t
            p := count([x | some a in numbers.range(1, 1000); some b in numbers.range(1, 1000); some c in numbers.range(1, 1000); x := a + b + c])
            """);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<PolicyEvaluationException>(() =>
            policy.Evaluate("data.t.p", null, new EvaluationOptions { Timeout = TimeSpan.FromMilliseconds(100), MaxOutputSize = int.MaxValue }));

        Assert.Equal(PolicyErrorCodes.EvalCancelError, error.Code);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"deadline took {started.Elapsed}");
    }

    [Fact]
    public void Evaluate_CancelledToken_RaisesCancelError()
    {
        var policy = Compile("""
            package t
            p := count([x | some a in numbers.range(1, 100000); x := a])
            """);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", null, new EvaluationOptions { CancellationToken = cts.Token }));

        Assert.Equal(PolicyErrorCodes.EvalCancelError, error.Code);
    }

    [Fact]
    public void Evaluate_LargeComprehension_HitsOutputLimit()
    {
        var policy = Compile("""
            package t
            p := [x | some x in numbers.range(1, 100000)]
            """);

        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", null, new EvaluationOptions { MaxOutputSize = 1000 }));

        Assert.Equal(PolicyErrorCodes.EvalLimitError, error.Code);
    }

    [Fact]
    public void Evaluate_ManyThreads_ShareOnePreparedQuery()
    {
        var policy = Compile("""
            package authz
            default allow := false
            allow if input.n % 2 == 0
            """);
        var query = policy.Prepare("data.authz.allow");

        var failures = 0;
        Parallel.For(0, 2000, i =>
        {
            var result = query.Evaluate(ObjectValue.Create([new KeyValuePair<string, Value>("n", Value.From(i))]));
            if (!result[0].Expressions[0].Equals(Value.From(i % 2 == 0)))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task Evaluate_HugeBodyOfBindings_FinishesOrFailsCleanly()
    {
        var builder = new System.Text.StringBuilder("package t\np := x30000 if {\n    x0 := input.a\n");
        for (var i = 1; i <= 30_000; i++)
        {
            builder.Append("    x").Append(i).Append(" := x").Append(i - 1).Append('\n');
        }

        builder.Append("}\n");
        var policy = Compile(builder.ToString());
        var input = Value.FromJson("""{"a":5}""");

        var outcome = await Task.Run(() =>
        {
            try
            {
                return policy.Evaluate("data.t.p", input)[0].Expressions[0].ToString();
            }
            catch (PolicyEvaluationException e)
            {
                return e.Code;
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(outcome, new[] { "5", PolicyErrorCodes.EvalLimitError });
    }

    [Fact]
    public async Task Evaluate_HugeArrayPattern_FinishesOrFailsCleanly()
    {
        const int n = 30_000;
        var names = string.Join(", ", Enumerable.Range(0, n).Select(static i => "a" + i));
        var policy = Compile($"package t\np := a{n - 1} if [{names}] := input.xs\n");
        var input = ObjectValue.Create([new KeyValuePair<string, Value>("xs", ArrayValue.Create(Enumerable.Range(0, n).Select(static i => (Value)Value.From(i))))]);

        var outcome = await Task.Run(() =>
        {
            try
            {
                return policy.Evaluate("data.t.p", input)[0].Expressions[0].ToString();
            }
            catch (PolicyEvaluationException e)
            {
                return e.Code;
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains(outcome, new[] { (n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), PolicyErrorCodes.EvalLimitError });
    }

    [Fact]
    public void Evaluate_DataLookup_AllocatesTheSameForSmallAndLargeData()
    {
        const string module = """
            package authz
            default allow := false
            allow if data.allowed_services[input.resource.name].enabled
            """;
        static string Data(int n) =>
            "{\"allowed_services\":{" + string.Join(",", Enumerable.Range(0, n).Select(static i => $"\"svc{i}\":{{\"enabled\":true}}")) + "}}";

        var small = Compile(module, Data(10)).Prepare("data.authz.allow");
        var large = Compile(module, Data(100_000)).Prepare("data.authz.allow");
        var input = Value.FromJson("""{"resource":{"name":"svc7"}}""");

        static long AllocatedPerCall(PreparedQuery query, Value input)
        {
            for (var i = 0; i < 100; i++)
            {
                query.Evaluate(input);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                query.Evaluate(input);
            }

            return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        }

        var smallBytes = AllocatedPerCall(small, input);
        var largeBytes = AllocatedPerCall(large, input);

        Assert.Equal(Value.True, large.Evaluate(input)[0].Expressions[0]);
        Assert.Equal(smallBytes, largeBytes);
        Assert.True(largeBytes < 2048, $"a decision allocated {largeBytes} bytes");
    }

    [Fact]
    public void Evaluate_ReorderedQuery_ReportsExpressionsInQueryOrder()
    {
        var policy = Compile("""
            package t
            xs := [1, 2]
            """);

        var row = Assert.Single(policy.Evaluate("x > 1; x = data.t.xs[_]; count(data.t.xs)"));

        Assert.Equal(Value.From(2), row.Bindings["x"]);
        Assert.Equal([Value.True, Value.True, Value.From(2)], row.Expressions);
    }

    [Fact]
    public void Evaluate_UnmarshalDeeplyNestedJson_FailsWithLimitErrorNotCrash()
    {
        var json = new string('[', 9_000) + new string(']', 9_000);
        var input = ObjectValue.Create([new KeyValuePair<string, Value>("doc", Value.From(json))]);
        var policy = Compile("""
            package t
            p if json.unmarshal(input.doc) == json.unmarshal(input.doc)
            """);

        var error = Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", input));

        Assert.Equal(PolicyErrorCodes.EvalLimitError, error.Code);
    }

    [Fact]
    public void Evaluate_AfterErrorInsideWith_NextEvaluationOnThreadSeesItsOwnInput()
    {
        var policy = Compile("""
            package t
            q := 1 if input.a == 1
            q := 2 if input.a == 1
            p := x if x := q with input as {"a": 1}
            r := input.a
            """);

        Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", Value.FromJson("""{"a":5}""")));
        var result = policy.Evaluate("data.t.r", Value.FromJson("""{"a":5}"""));

        Assert.Equal(Value.From(5), Assert.Single(result).Expressions[0]);
    }

    [Fact]
    public void Evaluate_ComprehensionWithoutFreeVariables_IsBuiltOncePerEvaluation()
    {
        var policy = Compile("""
            package t
            p := count([i |
                some i in numbers.range(1, 50)
                s := {y | some y in input.ys; print("built", y)}
                count(s) == 2
            ])
            """);
        var lines = new List<string>();

        var result = policy.Evaluate("data.t.p", Value.FromJson("""{"ys":[1,2]}"""), new EvaluationOptions { Print = lines.Add });

        Assert.Equal(Value.From(50), Assert.Single(result).Expressions[0]);
        Assert.Equal(["built 1", "built 2"], lines);
    }

    [Fact]
    public async Task Evaluate_DeadlineOnFakeClock_CancelsWhenClockPassesIt()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var policy = Compile("""
            package t
            p := n if {
                print("started")
                n := count([x | some a in numbers.range(1, 1000); some b in numbers.range(1, 1000); some c in numbers.range(1, 1000); x := a + b + c])
            }
            """);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new EvaluationOptions
        {
            Timeout = TimeSpan.FromSeconds(5),
            TimeProvider = clock,
            MaxOutputSize = int.MaxValue,
            Print = _ => started.TrySetResult(),
        };

        var evaluation = Task.Run(() => Assert.Throws<PolicyEvaluationException>(() => policy.Evaluate("data.t.p", null, options)));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(evaluation.IsCompleted, "evaluation ended before the fake clock moved");
        clock.Advance(TimeSpan.FromSeconds(6));
        var error = await evaluation.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PolicyErrorCodes.EvalCancelError, error.Code);
    }

    [Fact]
    public void Evaluate_QueryWithModifier_ReportsTheExpressionValue()
    {
        var policy = Compile("""
            package t
            default allow := false
            allow if input.role == "admin"
            """);

        var admin = policy.Evaluate("""data.t.allow with input as {"role": "admin"}""");
        var guest = policy.Evaluate("""data.t.allow with input as {"role": "guest"}""");

        Assert.Equal(Value.True, Assert.Single(admin).Expressions[0]);
        Assert.Equal(Value.False, Assert.Single(guest).Expressions[0]);
        Assert.Empty(Assert.Single(guest).Bindings);
    }

    [Fact]
    public void Evaluate_QueryWithClosureVariables_IsThreadSafe()
    {
        var policy = Compile("""
            package t
            p := 1
            """);
        var query = policy.Prepare("sum([x | some x in input.xs])");

        var failures = 0;
        Parallel.For(0, 4000, i =>
        {
            var xs = ArrayValue.Create(Enumerable.Range(0, i % 50).Select(static n => (Value)Value.From(n)));
            var input = ObjectValue.Create([new KeyValuePair<string, Value>("xs", xs)]);
            var expected = Value.From((i % 50) * ((i % 50) - 1) / 2);
            if (!query.Evaluate(input)[0].Expressions[0].Equals(expected))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Evaluate_MixedPolicyFromManyThreads_MatchesSequentialResults()
    {
        var policy = Compile(
            """
            package t
            import rego.v1
            roles contains r if some r in input.roles
            by_name[u.name] := u if some u in data.users
            f(x) := y if y := x * 2
            doubled := [f(x) | some x in input.nums]
            mocked := y if y := doubled with f as 7
            first := data.users[0].name
            admin if "admin" in roles
            decision := {"admin": admin, "doubled": doubled, "mocked": mocked, "names": object.keys(by_name)} if admin
            default decision := {"admin": false}
            """,
            """{"users":[{"name":"ann"},{"name":"bob"}]}""");
        string[] queries = ["data.t.roles", "data.t.by_name", "data.t.doubled", "data.t.mocked", "data.t.decision", "x := data.t.roles[_]", "data.t"];
        var prepared = queries.Select(policy.Prepare).ToArray();
        Value Input(int i) => Value.FromJson($$"""{"roles":["user"{{(i % 2 == 0 ? ",\"admin\"" : "")}}],"nums":[{{i % 7}},{{i % 5}}]}""");
        string Render(QueryResult r) => string.Join(";", r.Select(static row => string.Join(",", row.Bindings.OrderBy(static b => b.Key).Select(static b => b.Key + "=" + b.Value)) + "|" + string.Join(",", row.Expressions)).Order());

        var expected = new string[200 * prepared.Length];
        for (var i = 0; i < 200; i++)
        {
            for (var q = 0; q < prepared.Length; q++)
            {
                expected[(i * prepared.Length) + q] = Render(prepared[q].Evaluate(Input(i)));
            }
        }

        var mismatches = 0;
        Parallel.For(0, expected.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
        {
            var i = k / prepared.Length;
            var q = k % prepared.Length;
            if (Render(prepared[q].Evaluate(Input(i))) != expected[k])
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
        Assert.Contains("admin", expected[(2 * prepared.Length) + 4], StringComparison.Ordinal);
    }
}
