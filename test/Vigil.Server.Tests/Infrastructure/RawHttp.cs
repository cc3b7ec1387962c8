using System.Net.Sockets;
using System.Text;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>Sends bytes exactly as written (HttpClient would normalize the very paths the attacks need).</summary>
public static class RawHttp
{
    public sealed record Response(int Status, string Head, string Body)
    {
        public string? Header(string name)
        {
            foreach (var line in Head.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return line[(colon + 1)..].Trim();
                }
            }

            return null;
        }
    }

    public static async Task<Response> SendAsync(int port, string requestTarget, string host = "127.0.0.1", IEnumerable<string>? headers = null, string method = "GET", string? body = null)
    {
        var text = new StringBuilder();
        text.Append(method).Append(' ').Append(requestTarget).Append(" HTTP/1.1\r\n");
        if (host.Length > 0)
        {
            text.Append("Host: ").Append(host).Append("\r\n");
        }

        foreach (var header in headers ?? [])
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("Connection: close\r\n\r\n").Append(body);
        return await SendBytesAsync(port, Encoding.Latin1.GetBytes(text.ToString())).ConfigureAwait(false);
    }

    public static async Task<Response> SendBytesAsync(int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cts.Token).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync(request, cts.Token).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cts.Token).ConfigureAwait(false);
        var all = Encoding.Latin1.GetString(buffer.ToArray());
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? all : all[..split];
        var body = split < 0 ? "" : all[(split + 4)..];
        var status = head.Length >= 12 && int.TryParse(head.AsSpan(9, 3), out var s) ? s : 0;
        return new Response(status, head, body);
    }
}
