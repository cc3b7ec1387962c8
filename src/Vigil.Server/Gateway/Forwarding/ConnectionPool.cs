using System.Security.Cryptography.X509Certificates;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// Idle kept-alive connections to one upstream (scheme, host, port), most recently used first. Connections idle
/// longer than <see cref="IdleTimeout"/> are closed when met and by a periodic sweep.
/// </summary>
internal sealed class ConnectionPool : IDisposable
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(50);
    private const int MaxIdle = 1024;
    private readonly Stack<UpstreamConnection> _idle = new();
    private readonly TimeProvider _time;
    private bool _disposed;

    public ConnectionPool(TimeProvider time, UpstreamWatchdog watchdog)
    {
        _time = time;
        Watchdog = watchdog;
    }

    /// <summary>Watches the activity deadlines of this pool's connections (shared by all pools).</summary>
    public UpstreamWatchdog Watchdog { get; }

    /// <summary>An idle connection that still looks healthy, or null when a new one must be opened.</summary>
    public UpstreamConnection? Rent()
    {
        // Idle ages are measured on the watchdog's clock (read four times a second, no clock read per request).
        var now = Watchdog.Now;
        while (true)
        {
            UpstreamConnection? connection;
            lock (_idle)
            {
                if (!_idle.TryPop(out connection))
                {
                    return null;
                }
            }

            if (_time.GetElapsedTime(connection.IdleSince, now) < IdleTimeout && !connection.IsDisposed)
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    /// <summary>Returns a connection after a complete exchange that allows reuse.</summary>
    public void Return(UpstreamConnection connection)
    {
        connection.IdleSince = Watchdog.Now;
        lock (_idle)
        {
            if (!_disposed && _idle.Count < MaxIdle && !connection.IsDisposed)
            {
                _idle.Push(connection);
                return;
            }
        }

        connection.Dispose();
    }

    /// <summary>Closes connections idle for longer than the idle timeout.</summary>
    public void Sweep()
    {
        var now = Watchdog.Now;
        List<UpstreamConnection>? expired = null;
        lock (_idle)
        {
            if (_idle.Count == 0)
            {
                return;
            }

            var kept = new List<UpstreamConnection>(_idle.Count);
            foreach (var connection in _idle)
            {
                if (_time.GetElapsedTime(connection.IdleSince, now) >= IdleTimeout || connection.IsDisposed)
                {
                    (expired ??= []).Add(connection);
                }
                else
                {
                    kept.Add(connection);
                }
            }

            if (expired is null)
            {
                return;
            }

            _idle.Clear();
            for (var i = kept.Count - 1; i >= 0; i--)
            {
                _idle.Push(kept[i]);
            }
        }

        expired.ForEach(c => c.Dispose());
    }

    public void Dispose()
    {
        UpstreamConnection[] all;
        lock (_idle)
        {
            _disposed = true;
            all = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in all)
        {
            connection.Dispose();
        }
    }
}

/// <summary>All upstream connection pools of the process, shared across configuration reloads.</summary>
internal sealed class UpstreamPools : IDisposable
{
    private readonly Dictionary<string, ConnectionPool> _pools = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private readonly UpstreamWatchdog _watchdog;

    public UpstreamPools(TimeProvider time)
    {
        _time = time;
        _watchdog = new UpstreamWatchdog(time);
        _sweeper = time.CreateTimer(static s => ((UpstreamPools)s!).Sweep(), this, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// The destination for an upstream base URL, with the pool for its scheme, host, port and trusted CAs (connections
    /// verified against one set of CAs are never handed to a route that trusts another).
    /// </summary>
    public UpstreamDestination Destination(Uri upstream, X509Certificate2Collection? trustedRoots = null)
    {
        var key = upstream.Scheme + "://" + upstream.Authority;
        if (trustedRoots is not null && upstream.Scheme == Uri.UriSchemeHttps)
        {
            key += "|" + string.Join(',', trustedRoots.Select(c => c.Thumbprint));
        }
        else
        {
            trustedRoots = null;
        }

        ConnectionPool pool;
        lock (_pools)
        {
            if (!_pools.TryGetValue(key, out pool!))
            {
                pool = new ConnectionPool(_time, _watchdog);
                _pools[key] = pool;
            }
        }

        return new UpstreamDestination(upstream, pool, trustedRoots);
    }

    private void Sweep()
    {
        ConnectionPool[] pools;
        lock (_pools)
        {
            pools = [.. _pools.Values];
        }

        foreach (var pool in pools)
        {
            pool.Sweep();
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _watchdog.Dispose();
        lock (_pools)
        {
            foreach (var pool in _pools.Values)
            {
                pool.Dispose();
            }

            _pools.Clear();
        }
    }
}
