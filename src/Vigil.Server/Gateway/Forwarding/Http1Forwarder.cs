using System.Buffers;
using System.Collections.Frozen;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>How a forwarded exchange ended.</summary>
internal enum ForwardResult
{
    Completed,

    /// <summary>No connection to the upstream could be opened (answered 502 when nothing was sent yet).</summary>
    ConnectFailed,

    /// <summary>The request could not be sent, or the upstream closed before answering.</summary>
    RequestFailed,

    /// <summary>The upstream stayed silent longer than the activity timeout (504 when nothing was sent yet).</summary>
    Timeout,

    /// <summary>The upstream's response broke HTTP/1.1 (502 when nothing was sent yet).</summary>
    BadResponse,

    /// <summary>The client went away.</summary>
    ClientAborted,

    /// <summary>The request body grew past the route's <c>max_request_body</c> while it was being sent (413 when nothing was sent yet).</summary>
    RequestTooLarge,

    /// <summary>
    /// The client's body broke HTTP/1.1 framing (RFC 9112: bare LF in chunk lines, oversized chunk sizes, ...): a client
    /// error, answered 400 when nothing was sent yet; the upstream never receives a complete request.
    /// </summary>
    BadRequestBody,
}

/// <summary>
/// Vigil's HTTP/1.1 forwarder: sends the request to the upstream over a pooled kept-alive connection and streams the
/// response back through Kestrel, without building an <see cref="HttpRequestMessage"/>. The request head is written in
/// one buffer (path exactly as normalized, headers shaped by <see cref="ForwardHeaders"/>), the response head is parsed
/// strictly (<see cref="ResponseHead"/>) and bodies are streamed in both directions with Content-Length, chunked or
/// until-close framing. A reused connection that turns out closed is retried once on a fresh one when the request
/// is idempotent and has no body. Upgrades (WebSockets) go through YARP instead.
/// </summary>
internal sealed partial class Http1Forwarder(TimeProvider time, TimeSpan connectTimeout)
{
    private static readonly FrozenDictionary<string, string> KnownNames = new[]
    {
        "Accept-Ranges", "Access-Control-Allow-Credentials", "Access-Control-Allow-Headers", "Access-Control-Allow-Methods",
        "Access-Control-Allow-Origin", "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Age", "Allow", "Alt-Svc",
        "Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-Range",
        "Content-Security-Policy", "Content-Type", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Date", "ETag",
        "Expires", "Last-Modified", "Link", "Location", "Permissions-Policy", "Pragma", "Referrer-Policy", "Retry-After", "Server",
        "Set-Cookie", "Strict-Transport-Security", "Vary", "Via", "WWW-Authenticate", "X-Content-Type-Options", "X-Frame-Options",
        "X-Powered-By", "X-Request-Id", "X-XSS-Protection",
    }.ToFrozenDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> KnownNameLookup =
        KnownNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>RFC 9110 tchar: what a header name is made of.</summary>
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~");

    /// <summary>What a header value may not hold: control characters but HTAB, and DEL.</summary>
    private static readonly SearchValues<char> ControlChars = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ForwardResult> ForwardAsync(HttpContext context, UpstreamDestination destination, ForwardContext forward, string sessionCookieName)
    {
        var request = context.Request;
        var contentLength = request.ContentLength;
        var hasBody = contentLength > 0 || (contentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        var retriable = !hasBody && IsIdempotent(request.Method);
        var body = default(BodyReadAhead);
        if (hasBody && contentLength is null)
        {
            // A body without a length is read ahead, up to ReadAheadLimit of what has arrived, before anything goes
            // upstream: a small one (the usual case) is sent whole with a Content-Length, and a framing error in it is
            // found before the upstream has received a byte.
            try
            {
                body = await ReadAheadAsync(request.BodyReader, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && (ex is BadHttpRequestException || IsTransportFailure(ex)))
            {
                return ForwardResult.ClientAborted;
            }
            catch (BadHttpRequestException ex)
            {
                return ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ForwardResult.RequestTooLarge : ForwardResult.BadRequestBody;
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                return ForwardResult.ClientAborted;
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            // The retry after a reused connection turned out closed goes out on a new connection, not another pooled one.
            var connection = attempt == 0 ? destination.Pool.Rent() : null;
            var reused = connection is not null;
            if (connection is not null && !retriable && !connection.IsIdleHealthy())
            {
                // A request that cannot be replayed only goes out on a connection seen open just now.
                connection.Dispose();
                connection = null;
                reused = false;
            }

            if (connection is null)
            {
                try
                {
                    connection = await UpstreamConnection.ConnectAsync(destination, time, connectTimeout, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    return ForwardResult.ClientAborted;
                }
                catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or AuthenticationException)
                {
                    if (body.Held)
                    {
                        // Nothing was sent: hand the body back unconsumed, so the gateway can send it to another upstream.
                        request.BodyReader.AdvanceTo(body.Buffer.Start);
                    }

                    return ForwardResult.ConnectFailed;
                }
            }

            var result = await ExchangeAsync(context, connection, destination, forward, sessionCookieName, hasBody, body, retriable && reused).ConfigureAwait(false);
            if (result != Retry)
            {
                return result;
            }
        }
    }

    /// <summary>A reused connection was found closed before the upstream answered; try once more on a new one.</summary>
    private const ForwardResult Retry = (ForwardResult)(-1);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ForwardResult> ExchangeAsync(HttpContext context, UpstreamConnection connection, UpstreamDestination destination,
        ForwardContext forward, string sessionCookieName, bool hasBody, BodyReadAhead body, bool mayRetry)
    {
        var request = context.Request;
        var headRequest = HttpMethods.IsHead(request.Method);
        var keep = false;
        connection.ActivityTimeout = forward.UpstreamTimeout;
        connection.Arm();
        var abort = context.RequestAborted.UnsafeRegister(static s => ((UpstreamConnection)s!).Dispose(), connection);
        try
        {
            try
            {
                var length = body.IsComplete ? body.Length : request.ContentLength;
                WriteRequestHead(connection.Send, context, destination, forward, sessionCookieName, hasBody, length);
                await connection.WriteAsync(connection.Send.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
                if (body.IsComplete)
                {
                    await SendReadAheadAsync(request.BodyReader, connection, body, chunked: false).ConfigureAwait(false);
                }
                else if (hasBody)
                {
                    if (body.HasData)
                    {
                        await SendReadAheadAsync(request.BodyReader, connection, body, chunked: true).ConfigureAwait(false);
                    }

                    await SendBodyAsync(context, connection, length is null).ConfigureAwait(false);
                }
            }
            catch (BadHttpRequestException ex)
            {
                // The client broke the body's framing or limit midway: the upstream got a cut-off body (an unterminated
                // chunked body or a short length, never a whole request), and the connection is closed, never reused.
                return ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? ForwardResult.RequestTooLarge : ForwardResult.BadRequestBody;
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                return context.RequestAborted.IsCancellationRequested ? ForwardResult.ClientAborted
                    : connection.TimedOut ? ForwardResult.Timeout
                    : mayRetry ? Retry
                    : ForwardResult.RequestFailed;
            }

            var head = connection.Head;
            var interim = await ReadFinalHeadAsync(connection, headRequest).ConfigureAwait(false);
            if (interim < 0)
            {
                // Closed before a final head; a retry is safe only when the upstream sent nothing at all.
                return context.RequestAborted.IsCancellationRequested ? ForwardResult.ClientAborted
                    : connection.TimedOut ? ForwardResult.Timeout
                    : mayRetry && interim == NothingReceived ? Retry
                    : ForwardResult.RequestFailed;
            }

            ApplyResponseHead(context.Response, head, connection.Buffered, sessionCookieName);
            connection.Consume(head.Length);
            var copied = await CopyResponseBodyAsync(context, connection, head).ConfigureAwait(false);
            keep = copied == ForwardResult.Completed && head.KeepAlive && connection.Buffered.IsEmpty;
            return copied;
        }
        catch (UpstreamProtocolException)
        {
            return ForwardResult.BadResponse;
        }
        finally
        {
            abort.Dispose();
            connection.Disarm();
            if (keep && !connection.IsDisposed)
            {
                destination.Pool.Return(connection);
            }
            else
            {
                connection.Dispose();
            }
        }
    }

    private const int NothingReceived = -1;
    private const int ClosedInsideHead = -2;

    /// <summary>
    /// Reads up to the final response head (in <see cref="UpstreamConnection.Head"/>), skipping interim 1xx responses.
    /// Returns the bytes of interim responses skipped, or <see cref="NothingReceived"/> / <see cref="ClosedInsideHead"/>
    /// when the upstream closed first. Throws <see cref="UpstreamProtocolException"/> for a broken head, a 101 nobody
    /// asked for, or an interim response that closes the connection (llhttp refuses what follows one).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<int> ReadFinalHeadAsync(UpstreamConnection connection, bool headRequest)
    {
        var head = connection.Head;
        var interim = 0;
        var receivedAny = false;
        while (true)
        {
            if (head.TryParse(connection.Buffered, headRequest))
            {
                if (head.Status >= 200)
                {
                    return interim;
                }

                if (head.Status == 101)
                {
                    throw new UpstreamProtocolException("upstream switched protocols without being asked to");
                }

                if (!head.KeepAlive)
                {
                    throw new UpstreamProtocolException("interim response that closes the connection");
                }

                interim += head.Length;
                connection.Consume(head.Length); // interim response (100 Continue, 103 Early Hints): not forwarded
                continue;
            }

            bool more;
            try
            {
                more = await connection.FillAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                more = false;
            }

            if (!more)
            {
                return receivedAny ? ClosedInsideHead : NothingReceived;
            }

            receivedAny = true;
            connection.Arm();
        }
    }

    /// <summary>Writes the upstream request head into <paramref name="writer"/> (internal: the differential tests parse it back with llhttp).</summary>
    internal static void WriteRequestHead(ArrayBufferWriter<byte> writer, HttpContext context, UpstreamDestination destination, ForwardContext forward,
        string sessionCookieName, bool hasBody, long? contentLength)
    {
        var request = context.Request;
        writer.ResetWrittenCount();
        WriteAscii(writer, request.Method);
        writer.Write(" "u8);
        writer.Write(destination.BasePath);
        WriteAscii(writer, forward.Path);
        WriteAscii(writer, forward.Query);
        writer.Write(" HTTP/1.1\r\nHost: "u8);
        if (forward.UpstreamHost is { } host)
        {
            WriteAscii(writer, host);
        }
        else
        {
            writer.Write(destination.HostHeader);
        }

        writer.Write("\r\n"u8);

        var headers = request.Headers;
        var connectionHeader = headers.Connection;
        foreach (var header in headers)
        {
            if (!ForwardHeaders.IsCopiedRequestHeader(header.Key, connectionHeader, forward.PassHeaders))
            {
                continue;
            }

            foreach (var value in header.Value)
            {
                if (value is not null)
                {
                    WriteHeader(writer, header.Key, value);
                }
            }
        }

        if (hasBody)
        {
            if (contentLength is { } length)
            {
                writer.Write("Content-Length: "u8);
                var span = writer.GetSpan(20);
                length.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
                writer.Advance(written);
                writer.Write("\r\n"u8);
            }
            else
            {
                writer.Write("Transfer-Encoding: chunked\r\n"u8);
            }
        }
        else if (request.ContentLength == 0)
        {
            writer.Write("Content-Length: 0\r\n"u8);
        }

        if (ForwardHeaders.FilterCookies(headers.Cookie, sessionCookieName) is { } cookie)
        {
            WriteHeader(writer, "Cookie", cookie);
        }

        var sink = new HeadWriter(writer);
        ForwardHeaders.AddVigilHeaders(ref sink, forward, request.Scheme);
        writer.Write("\r\n"u8);
    }

    private readonly struct HeadWriter(ArrayBufferWriter<byte> writer) : IHeaderSink
    {
        public void Add(string name, string value) => WriteHeader(writer, name, value);
    }

    private static void WriteHeader(ArrayBufferWriter<byte> writer, string name, string value)
    {
        // Kestrel refuses CR, LF and NUL in client headers, but passes other control characters and names that are no
        // tokens ("X@A: 1"), which strict upstream parsers (llhttp) refuse; a header line break is exactly how request
        // smuggling starts. So only token names and values without control characters (but HTAB) are written.
        if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(TokenChars) >= 0 || value.AsSpan().IndexOfAny(ControlChars) >= 0)
        {
            throw new UpstreamProtocolException("request header with a character HTTP does not allow");
        }

        WriteAscii(writer, name);
        writer.Write(": "u8);
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span);
        writer.Advance(written);
        writer.Write("\r\n"u8);
    }

    private static void WriteAscii(ArrayBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        if (Ascii.FromUtf16(text, span, out var written) != OperationStatus.Done)
        {
            throw new UpstreamProtocolException("non-ASCII request line or header name");
        }

        writer.Advance(written);
    }

    /// <summary>The most of a body without a length that is read before the request goes upstream.</summary>
    internal const int ReadAheadLimit = 64 * 1024;

    /// <summary>What was read of a body without a length before forwarding (held in the reader, not yet consumed).</summary>
    private readonly record struct BodyReadAhead(ReadOnlySequence<byte> Buffer, bool IsComplete)
    {
        /// <summary>Whether a read-ahead took place (its buffer must be consumed or handed back).</summary>
        public bool Held { get; init; }

        public bool HasData => !Buffer.IsEmpty;

        public long Length => Buffer.Length;
    }

    /// <summary>
    /// Reads a body without a length until it ends or <see cref="ReadAheadLimit"/> bytes are held, as nginx buffers
    /// request bodies: a small body goes upstream whole, after Kestrel has checked all of its framing. (Kestrel's
    /// minimum data rate still ends a client that trickles.)
    /// </summary>
    private static async ValueTask<BodyReadAhead> ReadAheadAsync(PipeReader reader, CancellationToken aborted)
    {
        var read = await ReadBodyAsync(reader, aborted).ConfigureAwait(false);
        while (!read.IsCompleted && read.Buffer.Length < ReadAheadLimit)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await ReadBodyAsync(reader, aborted).ConfigureAwait(false);
        }

        return new BodyReadAhead(read.Buffer, read.IsCompleted) { Held = true };
    }

    /// <summary>
    /// Reads the client's body. Kestrel reports most framing errors as <see cref="BadHttpRequestException"/>, but an
    /// overflowing chunk size as a plain <see cref="IOException"/> ("Bad chunk size data"), which would otherwise pass
    /// for a transport failure: while the client is still there, that is its error too.
    /// </summary>
    private static async ValueTask<ReadResult> ReadBodyAsync(PipeReader reader, CancellationToken aborted)
    {
        try
        {
            return await reader.ReadAsync(aborted).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.GetType() == typeof(IOException) && !aborted.IsCancellationRequested)
        {
            throw new BadHttpRequestException("malformed request body: " + ex.Message, StatusCodes.Status400BadRequest, ex);
        }
    }

    private static async ValueTask SendReadAheadAsync(PipeReader reader, UpstreamConnection connection, BodyReadAhead body, bool chunked)
    {
        await WritePieceAsync(connection, body.Buffer, chunked).ConfigureAwait(false);
        reader.AdvanceTo(body.Buffer.End);
    }

    /// <summary>Writes one piece of a request body, as a chunk of its own when the upstream request is chunked.</summary>
    private static async ValueTask WritePieceAsync(UpstreamConnection connection, ReadOnlySequence<byte> piece, bool chunked)
    {
        if (chunked)
        {
            var prefix = Encoding.ASCII.GetBytes(piece.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n");
            await connection.WriteAsync(prefix, CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var segment in piece)
        {
            await connection.WriteAsync(segment, CancellationToken.None).ConfigureAwait(false);
        }

        if (chunked)
        {
            await connection.WriteAsync("\r\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async ValueTask SendBodyAsync(HttpContext context, UpstreamConnection connection, bool chunked)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await ReadBodyAsync(reader, context.RequestAborted).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (!buffer.IsEmpty)
            {
                await WritePieceAsync(connection, buffer, chunked).ConfigureAwait(false);
            }

            reader.AdvanceTo(buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        if (chunked)
        {
            await connection.WriteAsync("0\r\n\r\n"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void ApplyResponseHead(HttpResponse response, ResponseHead head, ReadOnlySpan<byte> data, string sessionCookieName)
    {
        response.StatusCode = head.Status;
        var headers = response.Headers;
        Span<char> nameBuffer = stackalloc char[256];
        HeaderLine? connection = null;
        var lines = head.Headers;
        foreach (var line in lines)
        {
            if (line.NameLength == 10 && Ascii.EqualsIgnoreCase(data.Slice(line.NameStart, 10), "connection"u8))
            {
                connection = line;
            }
        }

        foreach (var line in lines)
        {
            var nameBytes = data.Slice(line.NameStart, line.NameLength);
            var chars = line.NameLength <= nameBuffer.Length ? nameBuffer[..line.NameLength] : new char[line.NameLength];
            Ascii.ToUtf16(nameBytes, chars, out _);
            if (!ForwardHeaders.IsCopiedResponseHeader(chars) ||
                (connection is { } c && ListedInConnection(data.Slice(c.ValueStart, c.ValueLength), nameBytes)))
            {
                continue;
            }

            var name = KnownNameLookup.TryGetValue(chars, out var known) ? known : new string(chars);
            var value = Encoding.Latin1.GetString(data.Slice(line.ValueStart, line.ValueLength));
            if (name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase) && ForwardHeaders.SetsVigilCookie(value, sessionCookieName))
            {
                continue; // an upstream may never set (or clear) Vigil's session or login cookies
            }

            headers.Append(name, value);
        }

        if (head.Framing == BodyFraming.ContentLength)
        {
            response.ContentLength = head.ContentLength;
        }
        else if (head.Framing == BodyFraming.None && head.DeclaredLength is { } declared && head.Status >= 200 && head.Status != 204)
        {
            response.ContentLength = declared; // HEAD and 304 announce the length of the body they do not send
        }
    }

    private static bool ListedInConnection(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), name))
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask<ForwardResult> CopyResponseBodyAsync(HttpContext context, UpstreamConnection connection, ResponseHead head)
    {
        var writer = context.Response.BodyWriter;
        try
        {
            var result = await CopyBodyAsync(writer, connection, head).ConfigureAwait(false);

            // Once a response has been flushed (headers and part of the body are out), what is written after the last
            // flush must be flushed too: Kestrel does not send it by itself when the request ends. A response never
            // flushed goes out whole, headers and body in one write, when the request ends.
            if (result == ForwardResult.Completed && context.Response.HasStarted && !await FlushAsync(writer, connection).ConfigureAwait(false))
            {
                return ForwardResult.ClientAborted;
            }

            return result;
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            // Part of the response may already be with the client: it must not take a truncated body for a whole one.
            context.Abort();
            return context.RequestAborted.IsCancellationRequested && !connection.TimedOut ? ForwardResult.ClientAborted
                : connection.TimedOut ? ForwardResult.Timeout : ForwardResult.RequestFailed;
        }
        catch (UpstreamProtocolException)
        {
            context.Abort();
            return ForwardResult.BadResponse;
        }
    }

    private static bool IsTransportFailure(Exception ex) => ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method) ||
        HttpMethods.IsDelete(method) || HttpMethods.IsTrace(method);
}
