using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>How a raw HTTP/2 exchange ended: a response status, a stream reset, or the connection torn down.</summary>
public sealed record Http2Outcome(int? Status, int? ResetCode, int? GoAwayCode)
{
    public bool Refused => Status is >= 400 and < 500 || ResetCode is not null || GoAwayCode is not null;

    public override string ToString() => $"status {Status?.ToString() ?? "-"}, reset {ResetCode?.ToString() ?? "-"}, goaway {GoAwayCode?.ToString() ?? "-"}";
}

/// <summary>
/// A minimal HTTP/2 client over TLS (ALPN h2) that sends header fields exactly as given — names with spaces, upper
/// case, connection-specific fields — which HttpClient and Node refuse to send. HPACK literals without indexing and
/// without Huffman coding; reads until the stream's response head, a reset or a GOAWAY.
/// </summary>
public static class RawHttp2
{
    public static async Task<Http2Outcome> SendAsync(int port, IEnumerable<(string Name, string Value)> fields, byte[]? body = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(10));
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost", ApplicationProtocols = [SslApplicationProtocol.Http2],
        }).WaitAsync(TimeSpan.FromSeconds(10));
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            throw new InvalidOperationException("the server did not negotiate h2");
        }

        var output = new MemoryStream();
        output.Write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        WriteFrame(output, type: 0x4, flags: 0, stream: 0, []); // SETTINGS
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00); // literal header field without indexing, new name
            WriteString(block, name);
            WriteString(block, value);
        }

        WriteFrame(output, type: 0x1, flags: (byte)(0x4 | (body is null ? 0x1 : 0)), stream: 1, block.ToArray()); // HEADERS
        if (body is not null)
        {
            WriteFrame(output, type: 0x0, flags: 0x1, stream: 1, body); // DATA, END_STREAM
        }

        await tls.WriteAsync(output.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await tls.FlushAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var head = new byte[9];
        while (true)
        {
            try
            {
                await tls.ReadExactlyAsync(head, timeout.Token);
            }
            catch (EndOfStreamException)
            {
                return new Http2Outcome(null, null, -1);
            }
            catch (IOException)
            {
                return new Http2Outcome(null, null, -1);
            }

            var length = (head[0] << 16) | (head[1] << 8) | head[2];
            var type = head[3];
            var flags = head[4];
            var stream = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7FFFFFFF;
            var payload = new byte[length];
            await tls.ReadExactlyAsync(payload, timeout.Token);
            switch (type)
            {
                case 0x1 when stream == 1:
                    return new Http2Outcome(ReadStatus(payload, flags), null, null);
                case 0x3 when stream == 1:
                    return new Http2Outcome(null, BinaryPrimitives.ReadInt32BigEndian(payload), null);
                case 0x7:
                    return new Http2Outcome(null, null, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
                case 0x4 when (flags & 0x1) == 0:
                    var ack = new MemoryStream();
                    WriteFrame(ack, type: 0x4, flags: 0x1, stream: 0, []);
                    await tls.WriteAsync(ack.ToArray(), timeout.Token);
                    break;
            }
        }
    }

    /// <summary>The <c>:status</c> of a response header block as Kestrel encodes it (static-table index, or a raw literal with name index 8).</summary>
    private static int? ReadStatus(byte[] payload, byte flags)
    {
        var offset = 0;
        if ((flags & 0x8) != 0)
        {
            offset++; // padded
        }

        if ((flags & 0x20) != 0)
        {
            offset += 5; // priority
        }

        var first = payload[offset];
        if (first is >= 0x88 and <= 0x8E)
        {
            return new[] { 200, 204, 206, 304, 400, 404, 500 }[first - 0x88];
        }

        if ((first & 0x0F) == 8 && (first & 0xF0) is 0x00 or 0x10 or 0x40)
        {
            var len = payload[offset + 1] & 0x7F;
            return int.Parse(Encoding.ASCII.GetString(payload, offset + 2, len), System.Globalization.CultureInfo.InvariantCulture);
        }

        return null;
    }

    private static void WriteString(Stream stream, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var length = bytes.Length;
        if (length < 127)
        {
            stream.WriteByte((byte)length);
        }
        else
        {
            stream.WriteByte(127);
            length -= 127;
            while (length >= 128)
            {
                stream.WriteByte((byte)((length & 0x7F) | 0x80));
                length >>= 7;
            }

            stream.WriteByte((byte)length);
        }

        stream.Write(bytes);
    }

    private static void WriteFrame(Stream output, byte type, byte flags, int stream, byte[] payload)
    {
        Span<byte> head = stackalloc byte[9];
        head[0] = (byte)(payload.Length >> 16);
        head[1] = (byte)(payload.Length >> 8);
        head[2] = (byte)payload.Length;
        head[3] = type;
        head[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(head[5..], stream);
        output.Write(head);
        output.Write(payload);
    }
}
