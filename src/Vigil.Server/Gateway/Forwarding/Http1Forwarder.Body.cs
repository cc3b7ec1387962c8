using System.IO.Pipelines;
using System.Text;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// Response bodies: copied to the client as they arrive, delimited by a length, by chunked coding (sizes, extensions
/// and trailers read as strictly as llhttp reads them) or by the end of the stream.
/// </summary>
internal sealed partial class Http1Forwarder
{
    /// <summary>
    /// Copies the body that follows <paramref name="head"/> as its framing says (internal: the differential tests run
    /// it against llhttp). Throws <see cref="UpstreamProtocolException"/> for a broken body, <see cref="IOException"/>
    /// when the upstream closes early.
    /// </summary>
    internal ValueTask<ForwardResult> CopyBodyAsync(PipeWriter writer, UpstreamConnection connection, ResponseHead head) => head.Framing switch
    {
        BodyFraming.None => ValueTask.FromResult(ForwardResult.Completed),
        BodyFraming.ContentLength => CopyLengthAsync(writer, connection, head.ContentLength),
        BodyFraming.UntilClose => CopyUntilCloseAsync(writer, connection),
        _ => CopyChunkedAsync(writer, connection),
    };

    private async ValueTask<ForwardResult> CopyUntilCloseAsync(PipeWriter writer, UpstreamConnection connection)
    {
        while (true)
        {
            Copy(writer, connection, connection.Buffered.Length);
            if (!await connection.FillAsync(CancellationToken.None).ConfigureAwait(false))
            {
                return ForwardResult.Completed;
            }

            if (!await FlushAsync(writer, connection).ConfigureAwait(false))
            {
                return ForwardResult.ClientAborted;
            }
        }
    }

    private async ValueTask<ForwardResult> CopyLengthAsync(PipeWriter writer, UpstreamConnection connection, long remaining)
    {
        while (true)
        {
            var take = (int)Math.Min(remaining, connection.Buffered.Length);
            Copy(writer, connection, take);
            remaining -= take;
            if (remaining == 0)
            {
                return ForwardResult.Completed;
            }

            // More to come: pass on what we have so streaming responses stream, then wait for the rest.
            if (take > 0 && !await FlushAsync(writer, connection).ConfigureAwait(false))
            {
                return ForwardResult.ClientAborted;
            }

            if (!await connection.FillAsync(CancellationToken.None).ConfigureAwait(false))
            {
                throw new IOException("upstream closed the connection before the end of the body");
            }
        }
    }

    private async ValueTask<ForwardResult> CopyChunkedAsync(PipeWriter writer, UpstreamConnection connection)
    {
        const int MaxLine = 4096;
        while (true)
        {
            var lineEnd = connection.Buffered.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                if (connection.Buffered.Length > MaxLine)
                {
                    throw new UpstreamProtocolException("chunk size line too long");
                }

                await FillOrThrowAsync(connection).ConfigureAwait(false);
                continue;
            }

            var size = ParseChunkSize(connection.Buffered[..lineEnd]);
            connection.Consume(lineEnd + 2);
            if (size == 0)
            {
                // Trailers are not forwarded, but checked like header lines up to the empty line that ends the message: a
                // parser that refuses a malformed trailer would end this response where we do not.
                var skipped = 0;
                while (true)
                {
                    var end = connection.Buffered.IndexOf("\r\n"u8);
                    if (end < 0)
                    {
                        if (connection.Buffered.Length > ResponseHead.MaxHeadSize)
                        {
                            throw new UpstreamProtocolException("response trailers too large");
                        }

                        await FillOrThrowAsync(connection).ConfigureAwait(false);
                        continue;
                    }

                    if (end == 0)
                    {
                        connection.Consume(2);
                        return ForwardResult.Completed;
                    }

                    CheckTrailer(connection.Buffered[..end]);
                    connection.Consume(end + 2);
                    skipped += end + 2;

                    if (skipped > ResponseHead.MaxHeadSize)
                    {
                        throw new UpstreamProtocolException("response trailers too large");
                    }
                }
            }

            if (await CopyLengthAsync(writer, connection, size).ConfigureAwait(false) != ForwardResult.Completed)
            {
                return ForwardResult.ClientAborted;
            }

            while (connection.Buffered.Length < 2)
            {
                await FillOrThrowAsync(connection).ConfigureAwait(false);
            }

            if (!connection.Buffered.StartsWith("\r\n"u8))
            {
                throw new UpstreamProtocolException("chunk data not followed by CRLF");
            }

            connection.Consume(2);
            if (connection.Buffered.IsEmpty && !await FlushAsync(writer, connection).ConfigureAwait(false))
            {
                return ForwardResult.ClientAborted;
            }
        }
    }

    /// <summary>A trailer line is a header line, and never a Content-Length (llhttp refuses one next to chunked).</summary>
    internal static void CheckTrailer(ReadOnlySpan<byte> line)
    {
        var (colon, _, _) = ResponseHead.ParseFieldLine(line);
        if (Ascii.EqualsIgnoreCase(line[..colon], "content-length"u8))
        {
            throw new UpstreamProtocolException("Content-Length in response trailers");
        }
    }

    internal static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        long size = 0;
        var digits = 0;
        var i = 0;
        for (; i < line.Length; i++)
        {
            var b = line[i];
            var value = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                break;
            }

            if (++digits > 15)
            {
                throw new UpstreamProtocolException("chunk size too large");
            }

            size = (size * 16) + value;
        }

        if (digits == 0)
        {
            throw new UpstreamProtocolException("invalid chunk size");
        }

        // Only chunk extensions may follow the size, with no whitespace anywhere: llhttp refuses "5 " and "5 ;a", which
        // RFC 9112's BWS would allow, so a parser beside us could split the body elsewhere.
        if (i < line.Length && line[i] != (byte)';')
        {
            throw new UpstreamProtocolException("invalid chunk size");
        }

        if (i < line.Length && !IsChunkExtensions(line[i..]))
        {
            throw new UpstreamProtocolException("invalid chunk extension");
        }

        return size;
    }

    /// <summary>
    /// RFC 9112 7.1.1 chunk extensions without whitespace: <c>*( ";" token [ "=" ( token / quoted-string ) ] )</c>, as
    /// llhttp reads them (it also takes an empty token value, <c>;a=</c>).
    /// </summary>
    private static bool IsChunkExtensions(ReadOnlySpan<byte> rest)
    {
        var i = 0;
        while (i < rest.Length)
        {
            if (rest[i++] != (byte)';')
            {
                return false;
            }

            var name = i;
            while (i < rest.Length && ResponseHead.IsTokenByte(rest[i]))
            {
                i++;
            }

            if (i == name)
            {
                return false;
            }

            if (i == rest.Length || rest[i] != (byte)'=')
            {
                continue;
            }

            if (++i < rest.Length && rest[i] == (byte)'"')
            {
                for (i++; ; i++)
                {
                    if (i == rest.Length)
                    {
                        return false; // unclosed
                    }

                    var b = rest[i];
                    if (b == (byte)'"')
                    {
                        i++;
                        break;
                    }

                    if (b == (byte)'\\' && ++i == rest.Length)
                    {
                        return false;
                    }

                    // qdtext and the escaped byte: HTAB, SP, visible ASCII and obs-text, no other control character.
                    if ((rest[i] < 0x20 && rest[i] != (byte)'\t') || rest[i] == 0x7F)
                    {
                        return false;
                    }
                }
            }
            else
            {
                while (i < rest.Length && ResponseHead.IsTokenByte(rest[i]))
                {
                    i++;
                }
            }

            if (i < rest.Length && rest[i] != (byte)';')
            {
                return false;
            }
        }

        return true;
    }

    private static async ValueTask FillOrThrowAsync(UpstreamConnection connection)
    {
        if (!await connection.FillAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw new IOException("upstream closed the connection inside a chunked body");
        }

        connection.Arm();
    }

    private static void Copy(PipeWriter writer, UpstreamConnection connection, int count)
    {
        var source = connection.Buffered[..count];
        while (!source.IsEmpty)
        {
            var target = writer.GetSpan(Math.Min(source.Length, 16 * 1024));
            var n = Math.Min(target.Length, source.Length);
            source[..n].CopyTo(target);
            writer.Advance(n);
            source = source[n..];
        }

        connection.Consume(count);
    }

    private static async ValueTask<bool> FlushAsync(PipeWriter writer, UpstreamConnection connection)
    {
        var flushed = await writer.FlushAsync().ConfigureAwait(false);
        connection.Arm();
        return !flushed.IsCanceled && !flushed.IsCompleted;
    }
}
