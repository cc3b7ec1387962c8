using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Vigil.Server.Configuration;

namespace Vigil.Server.Sessions;

/// <summary>
/// The Redis side of revocation: publishes each revocation right after the store recorded it, and lets a node
/// subscribe. Used by the server (<see cref="RevocationListener"/>, logout) and by the CLI (<c>vigil users</c>,
/// <c>vigil sessions revoke</c>). Best effort by design: the store is the source of truth and every node polls it, so a
/// failed publish is logged and costs at most one poll interval, never an error to the caller. The connection is made
/// on first use, with no wait for an unreachable server, and StackExchange.Redis reconnects (and resubscribes) by itself.
/// </summary>
internal sealed partial class RevocationBus : IAsyncDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(2);

    private readonly ConfigurationOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private volatile ConnectionMultiplexer? _connection;
    private int _publishFailing;
    private int _down;

    public RevocationBus(RedisConfig config, ILogger<RevocationBus> logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        _logger = logger;
        _options = config.CreateOptions();
        // Never refuse to start because Redis is down; fail commands at once while disconnected (the store has the
        // revocation, polling delivers it) instead of queueing them; retry the connection every second.
        _options.AbortOnConnectFail = false;
        _options.BacklogPolicy = BacklogPolicy.FailFast;
        _options.ReconnectRetryPolicy = new LinearRetry(1000);
        _options.ConnectTimeout = Math.Min(_options.ConnectTimeout, 3000);
        _options.ConnectRetry = 1;
        _options.ClientName ??= "vigil";
        Endpoint = string.Join(",", _options.EndPoints.Select(Describe));
        Channel = RedisChannel.Literal(config.ChannelPrefix + ":revocations");
    }

    /// <summary>The server(s) as <c>host:port</c>, for logs (never the password).</summary>
    public string Endpoint { get; }

    /// <summary>The channel revocations travel on: <c>{channel_prefix}:revocations</c>.</summary>
    public RedisChannel Channel { get; }

    /// <summary>True while a connection to Redis is up.</summary>
    public bool IsConnected => _connection?.IsConnected == true;

    /// <summary>Raised when a connection to Redis is lost.</summary>
    public event Action? ConnectionLost;

    /// <summary>Raised when a connection to Redis is (re)established.</summary>
    public event Action? ConnectionRestored;

    /// <summary>Connects once (later calls return the same connection); an unreachable server is not an error.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(CancellationToken ct = default)
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        await _connectLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_connection is { } again)
            {
                return again;
            }

            var connection = await ConnectionMultiplexer.ConnectAsync(_options).ConfigureAwait(false);
            // Logged once per outage: the library retries every second and reports each failed attempt.
            connection.ConnectionFailed += (_, e) =>
            {
                if (Interlocked.Exchange(ref _down, 1) == 0)
                {
                    LogConnectionLost(_logger, Endpoint, e.ConnectionType.ToString(), e.FailureType.ToString());
                }

                ConnectionLost?.Invoke();
            };
            connection.ConnectionRestored += (_, e) =>
            {
                if (Interlocked.Exchange(ref _down, 0) == 1)
                {
                    LogConnectionRestored(_logger, Endpoint, e.ConnectionType.ToString());
                }

                ConnectionRestored?.Invoke();
            };
            if (!connection.IsConnected && Interlocked.Exchange(ref _down, 1) == 0)
            {
                LogUnreachable(_logger, Endpoint);
            }

            _connection = connection;
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Publishes a message; false (and logged, once per outage) when Redis could not take it.</summary>
    public async Task<bool> PublishAsync(RevocationMessage message, CancellationToken ct = default)
    {
        var error = await PublishCoreAsync(message, ct).ConfigureAwait(false);
        if (error is null)
        {
            if (Interlocked.Exchange(ref _publishFailing, 0) == 1)
            {
                LogPublishRecovered(_logger, Endpoint);
            }

            return true;
        }

        // Once per outage at warning level: a burst of logouts while Redis is down should not flood the log.
        if (Interlocked.Exchange(ref _publishFailing, 1) == 0)
        {
            LogPublishFailed(_logger, Endpoint, error);
        }

        return false;
    }

    /// <summary>Publishes a message without logging a failure (probes).</summary>
    public async Task<bool> TryPublishAsync(RevocationMessage message, CancellationToken ct = default) =>
        await PublishCoreAsync(message, ct).ConfigureAwait(false) is null;

    private async Task<string?> PublishCoreAsync(RevocationMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            var connection = await ConnectAsync(ct).ConfigureAwait(false);
            await connection.GetSubscriber().PublishAsync(Channel, message.ToJson()).WaitAsync(PublishTimeout, ct).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return ex.GetType().Name;
        }
    }

    /// <summary>Subscribes <paramref name="handler"/> to the revocation channel (restored by the library after a reconnect).</summary>
    public async Task SubscribeAsync(Action<RedisValue> handler, CancellationToken ct = default)
    {
        var connection = await ConnectAsync(ct).ConfigureAwait(false);
        await connection.GetSubscriber().SubscribeAsync(Channel, (_, value) => handler(value)).WaitAsync(PublishTimeout, ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? "?",
    };
}
