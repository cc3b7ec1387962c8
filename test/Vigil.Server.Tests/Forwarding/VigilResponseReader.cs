using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Vigil.Server.Gateway.Forwarding;

namespace Vigil.Server.Tests.Forwarding;

/// <summary>What Vigil's forwarder made of an upstream's bytes.</summary>
public sealed record VigilVerdict
{
    /// <summary>"ok", "error" (refused) or "incomplete" (the stream ended inside the head).</summary>
    public required string Head { get; init; }

    public string? Error { get; init; }

    /// <summary>Bytes up to the end of the final head, interim responses included.</summary>
    public int HeadLength { get; init; }

    public int Status { get; init; }

    public bool KeepAlive { get; init; }

    /// <summary>"none", "length", "chunked" or "close"; a zero length counts as "none", as llhttp cannot tell them apart.</summary>
    public string? Framing { get; init; }

    public long Length { get; init; }

    /// <summary>"complete", "error" (a broken body) or "truncated" (the stream ended inside the body).</summary>
    public string? Message { get; init; }

    public byte[]? Body { get; init; }

    public override string ToString() =>
        $"head {Head}{(Error is null ? "" : $" ({Error})")}, status {Status}, framing {Framing} {Length}, keep-alive {KeepAlive}, message {Message}" +
        (Body is null ? "" : $", body {Body.Length} bytes");
}

/// <summary>
/// Runs Vigil's own response path on bytes an upstream sends: a real <see cref="UpstreamConnection"/> to a loopback
/// socket that writes the bytes and ends the stream, <see cref="Http1Forwarder.ReadFinalHeadAsync"/> (ResponseHead,
/// interim responses) and <see cref="Http1Forwarder.CopyBodyAsync"/> (length, chunked and until-close bodies), as
/// <c>Http1Forwarder.ExchangeAsync</c> calls them.
/// </summary>
public sealed class VigilResponseReader : IAsyncLifetime
{
    public const string StreamEndedInHead = "the stream ended inside the head";
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly UpstreamWatchdog _watchdog = new(TimeProvider.System);
    private readonly Http1Forwarder _forwarder = new(TimeProvider.System, TimeSpan.FromSeconds(5));
    private ConnectionPool _pool = null!;
    private UpstreamDestination _destination = null!;

    public Task InitializeAsync()
    {
        _listener.Start();
        _pool = new ConnectionPool(TimeProvider.System, _watchdog);
        _destination = new UpstreamDestination(new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}"), _pool);
        return Task.CompletedTask;
    }

    public async Task<VigilVerdict> ReadAsync(byte[] data, bool headRequest)
    {
        var accept = _listener.AcceptSocketAsync();
        using var connection = await UpstreamConnection.ConnectAsync(_destination, TimeProvider.System, CaseTimeout, CancellationToken.None).AsTask().WaitAsync(CaseTimeout);
        using var upstream = await accept.WaitAsync(CaseTimeout);
        var send = SendAndEndAsync(upstream, data);
        try
        {
            return await ReadResponseAsync(connection, headRequest).WaitAsync(CaseTimeout);
        }
        finally
        {
            connection.Dispose();
            await send.WaitAsync(CaseTimeout);
        }
    }

    private static async Task SendAndEndAsync(Socket upstream, byte[] data)
    {
        try
        {
            await upstream.SendAsync(data);
            upstream.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Vigil stopped reading (a refusal) and closed its end first.
        }
    }

    private async Task<VigilVerdict> ReadResponseAsync(UpstreamConnection connection, bool headRequest)
    {
        var head = connection.Head;
        int interim;
        try
        {
            interim = await Http1Forwarder.ReadFinalHeadAsync(connection, headRequest);
        }
        catch (UpstreamProtocolException ex)
        {
            return new VigilVerdict { Head = "error", Error = ex.Message };
        }

        if (interim < 0)
        {
            return new VigilVerdict { Head = "incomplete", Error = StreamEndedInHead };
        }

        var framing = head.Framing switch
        {
            BodyFraming.None => "none",
            BodyFraming.ContentLength => head.ContentLength == 0 ? "none" : "length",
            BodyFraming.Chunked => "chunked",
            _ => "close",
        };
        var verdict = new VigilVerdict
        {
            Head = "ok",
            HeadLength = interim + head.Length,
            Status = head.Status,
            KeepAlive = head.KeepAlive,
            Framing = framing,
            Length = framing == "length" ? head.ContentLength : 0,
        };
        connection.Consume(head.Length);
        using var body = new MemoryStream();
        var writer = PipeWriter.Create(body, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            await _forwarder.CopyBodyAsync(writer, connection, head);
            await writer.CompleteAsync();
            return verdict with { Message = "complete", Body = body.ToArray() };
        }
        catch (UpstreamProtocolException ex)
        {
            return verdict with { Message = "error", Error = ex.Message };
        }
        catch (IOException ex)
        {
            return verdict with { Message = "truncated", Error = ex.Message };
        }
    }

    public Task DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        _pool.Dispose();
        _watchdog.Dispose();
        return Task.CompletedTask;
    }
}
