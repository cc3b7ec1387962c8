namespace Vigil.Policy;

/// <summary>Limits and hooks for one evaluation.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Shared default options.</summary>
    public static EvaluationOptions Default { get; } = new();

    /// <summary>Deadline for one evaluation; exceeding it raises <c>eval_cancel_error</c>. Default: none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Cancels the evaluation (raises <c>eval_cancel_error</c>).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Maximum nesting of rule/function calls and comprehensions (default 5,000); beyond it evaluation fails with <c>eval_limit_error</c>, never a crash.</summary>
    public int MaxDepth { get; init; } = 5_000;

    /// <summary>Maximum number of result rows and of elements built into one collection (default 1,000,000).</summary>
    public int MaxOutputSize { get; init; } = 1_000_000;

    /// <summary>Raise builtin errors instead of treating the failing expression as undefined. Default: false (as OPA).</summary>
    public bool StrictBuiltinErrors { get; init; }

    /// <summary>Clock for time builtins and the deadline. Default: the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Receives the output of <c>print()</c>; null discards it.</summary>
    public Action<string>? Print { get; init; }

    /// <summary>Testing aid: evaluate with the general continuation-passing evaluator only (no ground fast paths), to compare both.</summary>
    internal bool GeneralEvaluatorOnly { get; init; }
}
