using System.Collections.Concurrent;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// Closes upstream connections that stay silent past their deadline (the route's <c>upstream_timeout</c>), which fails
/// any pending read. One periodic check covers every connection, so arming on the hot path is a timestamp write: a
/// timer per connection took the timer queue's lock three or four times per request. Arming reads <see cref="Now"/>,
/// the time of the last check, rather than the clock, and adds one <see cref="Resolution"/> for its age: a deadline
/// is met at most two resolutions late, never early.
/// </summary>
internal sealed class UpstreamWatchdog : IDisposable
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<UpstreamConnection, byte> _watched = new();
    private readonly ITimer _timer;

    private long _now;

    public UpstreamWatchdog(TimeProvider time)
    {
        Time = time;
        _now = time.GetTimestamp();
        ResolutionTicks = Ticks(Resolution);
        _timer = time.CreateTimer(static s => ((UpstreamWatchdog)s!).Check(), this, Resolution, Resolution);
    }

    /// <summary>The clock deadlines are read from (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public TimeProvider Time { get; }

    /// <summary>The timestamp of the last check (at most one <see cref="Resolution"/> old).</summary>
    public long Now => Volatile.Read(ref _now);

    /// <summary><see cref="Resolution"/> in timestamp units.</summary>
    public long ResolutionTicks { get; }

    /// <summary>A duration in <see cref="TimeProvider.GetTimestamp"/> units of <see cref="Time"/>.</summary>
    public long Ticks(TimeSpan duration) => (long)(duration.TotalSeconds * Time.TimestampFrequency);

    /// <summary>Connections being watched (open ones).</summary>
    public int Count => _watched.Count;

    public void Watch(UpstreamConnection connection) => _watched.TryAdd(connection, 0);

    public void Forget(UpstreamConnection connection) => _watched.TryRemove(connection, out _);

    private void Check()
    {
        var now = Time.GetTimestamp();
        Volatile.Write(ref _now, now);
        foreach (var (connection, _) in _watched)
        {
            if (connection.IsOverdue(now))
            {
                connection.OnTimeout();
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
