using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Vigil.Server.Sessions;

/// <summary>
/// Remembers, for a short time, which subject a session cookie value authenticated, so the hot path does not
/// decrypt and deserialize the same ticket on every request. An entry never outlives the ticket's own expiry
/// nor <see cref="MaxAge"/>; the cookie value itself is the key, so a changed or forged cookie always misses.
/// </summary>
internal sealed class SessionCache
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 50_000;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (Subject Subject, DateTimeOffset ValidUntil)> _entries;
    private readonly ConcurrentDictionary<string, (Subject Subject, DateTimeOffset ValidUntil)>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public SessionCache(TimeProvider time)
    {
        _time = time;
        _entries = new(new CookieComparer());
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool TryGet(string cookie, out Subject subject) => TryGet(cookie.AsSpan(), out subject);

    /// <summary>Looks a cookie value up without allocating it as a string (see <see cref="SessionCookie"/>).</summary>
    public bool TryGet(ReadOnlySpan<char> cookie, out Subject subject)
    {
        if (_bySpan.TryGetValue(cookie, out var key, out var entry))
        {
            if (entry.ValidUntil > _time.GetUtcNow())
            {
                subject = entry.Subject;
                return true;
            }

            _entries.TryRemove(key, out _);
        }

        subject = Subject.Anonymous;
        return false;
    }

    public void Add(string cookie, Subject subject, DateTimeOffset? ticketExpires)
    {
        var until = _time.GetUtcNow() + MaxAge;
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

    /// <summary>
    /// Ordinal equality with a keyed hash: XxHash3 under a per-process random seed. Cookie values are long (a ticket is
    /// about 800 characters), where the default string hash costs several times more; the secret seed keeps clients
    /// from choosing values that collide.
    /// </summary>
    private sealed class CookieComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        private readonly long _seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

        public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

        public int GetHashCode(string obj) => Hash(obj.AsSpan());

        public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<char> alternate) => Hash(alternate);

        public string Create(ReadOnlySpan<char> alternate) => new(alternate);

        private int Hash(ReadOnlySpan<char> text) => (int)XxHash3.HashToUInt64(MemoryMarshal.AsBytes(text), _seed);
    }
}
