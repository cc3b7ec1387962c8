namespace Vigil.Server.Identity.WebAuthn;

/// <summary>The two WebAuthn ceremonies.</summary>
internal enum WebAuthnCeremony
{
    Registration,
    Assertion,
}

/// <summary>
/// Outstanding WebAuthn challenges, in memory. A challenge is bound to one login attempt or provider session (the
/// <c>binding</c>), one user and one ceremony; it is handed out once (taking it removes it, whether or not the
/// response that follows verifies) and expires after <see cref="Lifetime"/>. A new challenge for the same binding
/// replaces the earlier one, so each attempt has at most one. The store is bounded: when full of live challenges it
/// refuses new ones rather than evicting another user's.
/// </summary>
internal sealed class WebAuthnChallengeStore(TimeProvider time, TimeSpan lifetime, int capacity = WebAuthnChallengeStore.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public TimeSpan Lifetime => lifetime;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Stores the options of a new ceremony; false when the store is full of live challenges.</summary>
    public bool TryPut(string binding, WebAuthnCeremony ceremony, string userId, string optionsJson)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.ContainsKey(binding) && _entries.Count >= capacity)
            {
                Prune(now);
                if (_entries.Count >= capacity)
                {
                    return false;
                }
            }

            _entries[binding] = new Entry(ceremony, userId, optionsJson, now + lifetime);
            return true;
        }
    }

    /// <summary>
    /// Removes and returns the options stored for <paramref name="binding"/> when they belong to this user and
    /// ceremony and have not expired; otherwise null (the entry is removed all the same: one try per challenge).
    /// </summary>
    public string? Take(string binding, WebAuthnCeremony ceremony, string userId)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.Remove(binding, out var entry))
            {
                return null;
            }

            return entry.Ceremony == ceremony && string.Equals(entry.UserId, userId, StringComparison.Ordinal) && now < entry.Expires
                ? entry.OptionsJson
                : null;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries.ToList())
        {
            if (now >= entry.Expires)
            {
                _entries.Remove(key);
            }
        }
    }

    private sealed record Entry(WebAuthnCeremony Ceremony, string UserId, string OptionsJson, DateTimeOffset Expires);
}
