using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Vigil.Server.Sessions;

/// <summary>What became of one message received on the revocation bus.</summary>
internal enum BusMessageOutcome
{
    Applied,
    Ignored,
    Probe,
}

/// <summary>
/// Subscribes this node to the revocation bus and applies each announced revocation to <see cref="SessionRevocations"/>
/// at once. The subscription counts as live only once a probe this node published came back through it; each time it
/// becomes live (at start and after every reconnect) the store is read again, so a revocation announced while the
/// subscription was down is not missed. A message that is not a well-formed version-1 revocation is ignored and
/// logged; nothing a message says can lift a revocation. Redis being down never stops the node: the store is polled
/// regardless.
/// </summary>
internal sealed partial class RevocationListener(RevocationBus bus, SessionRevocations revocations, TimeProvider time, ILogger<RevocationListener> logger) : BackgroundService
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IgnoredLogInterval = TimeSpan.FromSeconds(10);

    private readonly string _node = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private volatile string? _probe;
    private volatile bool _probeReturned;
    private volatile bool _live;
    private bool _subscribed;
    private long _probeCount;
    private long _ignoredSinceLog;
    private long _lastIgnoredLog = long.MinValue;

    /// <summary>True while this node's subscription is known to deliver.</summary>
    public bool IsLive => _live;

    /// <summary>Raised each time the subscription became live and the store was read again (tests await it).</summary>
    public event Action? Live;

    /// <summary>Raised after each message was handled (tests await it).</summary>
    public event Action<BusMessageOutcome>? Handled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Connecting must not hold up the host's start.
        await Task.Yield();
        bus.ConnectionLost += OnConnectionLost;
        bus.ConnectionRestored += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_probeReturned && !_live)
                {
                    await BecomeLiveAsync(stoppingToken).ConfigureAwait(false);
                }
                else if (!_live)
                {
                    await ProbeAsync(stoppingToken).ConfigureAwait(false);
                }

                await _wake.WaitAsync(_live ? Timeout.InfiniteTimeSpan : ProbeInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            bus.ConnectionLost -= OnConnectionLost;
            bus.ConnectionRestored -= Wake;
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private async Task ProbeAsync(CancellationToken ct)
    {
        try
        {
            if (!_subscribed)
            {
                await bus.SubscribeAsync(OnMessage, ct).ConfigureAwait(false);
                _subscribed = true;
            }

            if (bus.IsConnected)
            {
                var probe = _node + "-" + Interlocked.Increment(ref _probeCount);
                _probe = probe;
                await bus.TryPublishAsync(RevocationMessage.ForProbe(probe, time.GetUtcNow().ToUnixTimeSeconds()), ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Redis is down: the library reconnects, the next round subscribes or probes again.
            LogNotSubscribed(logger, bus.Endpoint, ex.GetType().Name);
        }
    }

    private async Task BecomeLiveAsync(CancellationToken ct)
    {
        try
        {
            await revocations.RefreshAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The periodic reload keeps trying; the bus is live regardless.
            LogRefreshFailed(logger, ex);
        }

        _live = true;
        LogLive(logger, bus.Endpoint, bus.Channel.ToString());
        Live?.Invoke();
    }

    private void OnConnectionLost()
    {
        _live = false;
        _probeReturned = false;
        _probe = null;
        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private void OnMessage(RedisValue value)
    {
        var outcome = BusMessageOutcome.Ignored;
        try
        {
            string reason;
            if (value.IsNull || value.Length() > RevocationMessage.MaxBytes)
            {
                reason = value.IsNull ? "empty" : $"larger than {RevocationMessage.MaxBytes} bytes";
            }
            else if (RevocationMessage.TryParse((byte[])value!, out reason) is { } message)
            {
                if (message.Kind == RevocationMessageKind.Probe)
                {
                    outcome = BusMessageOutcome.Probe;
                    if (message.Id == _probe && !_probeReturned)
                    {
                        _probeReturned = true;
                        Wake();
                    }
                }
                else if (revocations.ApplyFromBus(message, out reason))
                {
                    outcome = BusMessageOutcome.Applied;
                    LogApplied(logger, message.Kind.ToString(), message.Id);
                }
            }

            if (outcome == BusMessageOutcome.Ignored)
            {
                Ignored(reason);
            }
        }
        catch (Exception ex)
        {
            // A message must never take the subscription (or the process) down.
            LogHandlerFailed(logger, ex);
        }

        Handled?.Invoke(outcome);
    }

    /// <summary>Logs an ignored message, at most once per <see cref="IgnoredLogInterval"/> with a count of the rest.</summary>
    private void Ignored(string reason)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastIgnoredLog);
        if (last == long.MinValue || time.GetElapsedTime(last, now) >= IgnoredLogInterval)
        {
            if (Interlocked.CompareExchange(ref _lastIgnoredLog, now, last) == last)
            {
                LogIgnored(logger, bus.Channel.ToString(), reason, Interlocked.Exchange(ref _ignoredSinceLog, 0));
                return;
            }
        }

        Interlocked.Increment(ref _ignoredSinceLog);
    }
}
