namespace Vigil.Policy.Builtins;

/// <summary>
/// Per-evaluation state shared by builtin calls: one clock reading for the whole query
/// (so <c>time.now_ns</c> is stable within an evaluation), cancellation, strictness and a cache.
/// </summary>
public sealed class BuiltinContext
{
    private long? _nowNs;
    private Dictionary<string, object>? _cache;
    private Random? _random;

    public BuiltinContext(TimeProvider? timeProvider = null, CancellationToken cancellationToken = default, bool strictBuiltinErrors = false)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        CancellationToken = cancellationToken;
        StrictBuiltinErrors = strictBuiltinErrors;
    }

    public TimeProvider TimeProvider { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    public bool StrictBuiltinErrors { get; private set; }

    /// <summary>Prepares a context of a finished evaluation for the next one (the evaluator reuses it on the same thread).</summary>
    internal void Reset(TimeProvider timeProvider, CancellationToken cancellationToken, bool strictBuiltinErrors)
    {
        TimeProvider = timeProvider;
        CancellationToken = cancellationToken;
        StrictBuiltinErrors = strictBuiltinErrors;
        _nowNs = null;
        _cache = null;
        _random = null;
    }

    /// <summary>Nanoseconds since the Unix epoch, read once per evaluation.</summary>
    public long NowNs
    {
        get
        {
            _nowNs ??= (TimeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
            return _nowNs.Value;
        }
    }

    /// <summary>A cache that lives as long as the evaluation (e.g. parsed keys, compiled patterns for this query).</summary>
    public Dictionary<string, object> Cache => _cache ??= new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>Seeded randomness for <c>rand.intn</c>: stable within one evaluation.</summary>
    public Random Random => _random ??= new();
}
