using System.Collections.Concurrent;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// Closes upstream connections that stay silent past their deadline (the route's <c>upstream_timeout</c>), which fails
/// any pending read. One periodic check covers every connection, so arming on the hot path is a timestamp write: a
/// timer per connection took the timer queue's lock three or four times per request. Deadlines are met within
/// <see cref="Resolution"/>.
/// </summary>
internal sealed class UpstreamWatchdog : IDisposable
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<UpstreamConnection, byte> _watched = new();
    private readonly ITimer _timer;

    public UpstreamWatchdog(TimeProvider time)
    {
        Time = time;
        _timer = time.CreateTimer(static s => ((UpstreamWatchdog)s!).Check(), this, Resolution, Resolution);
    }

    /// <summary>The clock deadlines are read from (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public TimeProvider Time { get; }

    /// <summary>Connections being watched (open ones).</summary>
    public int Count => _watched.Count;

    public void Watch(UpstreamConnection connection) => _watched.TryAdd(connection, 0);

    public void Forget(UpstreamConnection connection) => _watched.TryRemove(connection, out _);

    private void Check()
    {
        var now = Time.GetTimestamp();
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
