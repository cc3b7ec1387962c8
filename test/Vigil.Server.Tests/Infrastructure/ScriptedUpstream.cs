using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>One request as a raw upstream received it.</summary>
public sealed record RawRequest(int Connection, int Index, string Head, byte[] Body, bool Chunked)
{
    public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];

    public string? Header(string name)
    {
        foreach (var line in Head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    public bool HasHeader(string name) => Header(name) is not null;
}

/// <summary>
/// A raw TCP upstream that answers with exactly the bytes a test scripts, including broken and hostile HTTP, so
/// the forwarder's parsing, framing, reuse and error paths can be attacked. The handler writes the reply itself
/// and returns whether to keep the connection open.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<RawRequest, Stream, Task<bool>> _handler;
    private readonly Task _accept;
    private int _connections;

    public ScriptedUpstream(Func<RawRequest, Stream, Task<bool>> handler)
    {
        _handler = handler;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Url => $"http://127.0.0.1:{Port}";

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<RawRequest> Requests { get; } = new();

    /// <summary>A handler that answers every request with the same bytes and keeps the connection.</summary>
    public static Func<RawRequest, Stream, Task<bool>> Always(string response, bool keep = true) => async (_, stream) =>
    {
        await stream.WriteAsync(Encoding.Latin1.GetBytes(response));
        return keep;
    };

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client, id));
        }
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            for (var index = 0; ; index++)
            {
                int end;
                while ((end = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
                {
                    var n = await stream.ReadAsync(chunk, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, n));
                }

                var head = Encoding.Latin1.GetString(buffer.GetRange(0, end).ToArray());
                buffer.RemoveRange(0, end + 4);
                var probe = new RawRequest(connection, index, head, [], false);
                byte[] body = [];
                var chunked = probe.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
                if (chunked)
                {
                    var decoded = new List<byte>();
                    while (true)
                    {
                        int line;
                        while ((line = IndexOf(buffer, "\r\n"u8)) < 0)
                        {
                            buffer.AddRange(chunk.AsSpan(0, await ReadMoreAsync(stream, chunk)));
                        }

                        var size = Convert.ToInt32(Encoding.ASCII.GetString(buffer.GetRange(0, line).ToArray()).Split(';')[0], 16);
                        buffer.RemoveRange(0, line + 2);
                        while (buffer.Count < size + 2)
                        {
                            buffer.AddRange(chunk.AsSpan(0, await ReadMoreAsync(stream, chunk)));
                        }

                        decoded.AddRange(buffer.GetRange(0, size));
                        buffer.RemoveRange(0, size + 2);
                        if (size == 0)
                        {
                            break;
                        }
                    }

                    body = [.. decoded];
                }
                else if (probe.Header("Content-Length") is { } cl && int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) is var length and > 0)
                {
                    while (buffer.Count < length)
                    {
                        buffer.AddRange(chunk.AsSpan(0, await ReadMoreAsync(stream, chunk)));
                    }

                    body = [.. buffer.GetRange(0, length)];
                    buffer.RemoveRange(0, length);
                }

                var request = probe with { Body = body, Chunked = chunked };
                Requests.Enqueue(request);
                if (!await _handler(request, stream))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task<int> ReadMoreAsync(Stream stream, byte[] chunk)
    {
        var n = await stream.ReadAsync(chunk, _stop.Token);
        return n == 0 ? throw new IOException("client closed") : n;
    }

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= buffer.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        _stop.Dispose();
    }
}
