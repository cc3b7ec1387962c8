using System.Collections.Concurrent;

namespace Vigil.Server.Sessions;

/// <summary>
/// Remembers, for a short time, which subject a session cookie value authenticated, so the hot path does not
/// decrypt and deserialize the same ticket on every request. An entry never outlives the ticket's own expiry
/// nor <see cref="MaxAge"/>; the cookie value itself is the key, so a changed or forged cookie always misses.
/// </summary>
internal sealed class SessionCache(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 50_000;
    private readonly ConcurrentDictionary<string, (Subject Subject, DateTimeOffset ValidUntil)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string cookie, out Subject subject)
    {
        if (_entries.TryGetValue(cookie, out var entry))
        {
            if (entry.ValidUntil > time.GetUtcNow())
            {
                subject = entry.Subject;
                return true;
            }

            _entries.TryRemove(cookie, out _);
        }

        subject = Subject.Anonymous;
        return false;
    }

    public void Add(string cookie, Subject subject, DateTimeOffset? ticketExpires)
    {
        var until = time.GetUtcNow() + MaxAge;
        if (ticketExpires is { } expires && expires < until)
        {
            until = expires;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[cookie] = (subject, until);
    }
}
