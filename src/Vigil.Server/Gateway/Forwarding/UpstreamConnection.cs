using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// One kept-alive HTTP/1.1 connection to an upstream: the socket (TLS when the upstream is https), a receive buffer
/// and a reusable send buffer. A connection serves one request at a time. The pools' <see cref="UpstreamWatchdog"/>
/// closes the socket when the upstream stays silent past the armed deadline, which fails any pending read.
/// </summary>
internal sealed class UpstreamConnection : IDisposable
{
    private const int BufferSize = 16 * 1024;
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly UpstreamWatchdog _watchdog;
    private long _deadline = long.MaxValue;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _start;
    private int _end;
    private int _disposed;

    private UpstreamConnection(Socket socket, Stream stream, UpstreamWatchdog watchdog)
    {
        _socket = socket;
        _stream = stream;
        _watchdog = watchdog;
        ActivityTimeout = Configuration.RouteConfig.DefaultUpstreamTimeout;
        watchdog.Watch(this);
    }

    /// <summary>The head of the request being sent, written here and sent in one call.</summary>
    public ArrayBufferWriter<byte> Send { get; } = new(4096);

    /// <summary>The parsed head of the current response (reused per request).</summary>
    public ResponseHead Head { get; } = new();

    /// <summary>When the connection went back to the pool (timestamp of the pool's clock).</summary>
    public long IdleSince { get; set; }

    /// <summary>Whether the watchdog closed the connection.</summary>
    public bool TimedOut { get; private set; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Buffered bytes not yet consumed.</summary>
    public ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    public static async ValueTask<UpstreamConnection> ConnectAsync(UpstreamDestination destination, TimeProvider time, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var deadline = new CancellationTokenSource(connectTimeout, time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            EndPoint endPoint = destination.Address is { } address ? new IPEndPoint(address, destination.Port) : new DnsEndPoint(destination.Host, destination.Port);
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (destination.IsHttps)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = destination.Host,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    CertificateChainPolicy = destination.TrustedRoots is { } roots ? UpstreamTrust.ChainPolicy(roots) : null,
                }, timeout.Token).ConfigureAwait(false);
                stream = ssl;
            }

            return new UpstreamConnection(socket, stream, destination.Pool.Watchdog);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>How long the upstream may stay silent during the current exchange (the route's upstream timeout).</summary>
    public TimeSpan ActivityTimeout
    {
        get;
        set
        {
            field = value;
            _timeoutTicks = _watchdog.Ticks(value) + _watchdog.ResolutionTicks;
        }
    }

    // The activity timeout in watchdog timestamp units, plus the age the watchdog's clock reading may have.
    private long _timeoutTicks;

    /// <summary>Arms the watchdog: the connection is closed unless <see cref="Disarm"/> or another arm comes first.</summary>
    public void Arm() => Volatile.Write(ref _deadline, _watchdog.Now + _timeoutTicks);

    public void Disarm() => Volatile.Write(ref _deadline, long.MaxValue);

    /// <summary>Whether the armed deadline has passed at <paramref name="now"/> (a <see cref="UpstreamWatchdog.Time"/> timestamp).</summary>
    public bool IsOverdue(long now) => now >= Volatile.Read(ref _deadline);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _stream.WriteAsync(data, cancellationToken);

    /// <summary>Reads more bytes into the buffer; returns false at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                if (_buffer.Length >= ResponseHead.MaxHeadSize + BufferSize)
                {
                    throw new UpstreamProtocolException("response head too large");
                }

                var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    public void Consume(int count) => _start += count;

    /// <summary>Whether the idle connection is still usable: no unexpected bytes and no close from the upstream.</summary>
    public bool IsIdleHealthy()
    {
        if (_start != _end || IsDisposed)
        {
            return false;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Called by the watchdog when the deadline passed.</summary>
    public void OnTimeout()
    {
        TimedOut = true;
        Dispose();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _watchdog.Forget(this);
        _stream.Dispose();
        _socket.Dispose();

        // The buffer goes back only when no read can still be using it: after a dispose racing a pending read the
        // array is simply left to the collector.
    }
}
