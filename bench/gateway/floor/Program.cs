// The smallest proxy Kestrel allows, as a floor for Vigil's throughput on the same machine: same Kestrel settings as
// `vigil serve` (inline I/O), one kept-alive upstream socket per client connection, a fixed GET forwarded, the
// Content-Length body copied back. No policy, session, headers, log or error handling: not a product, a yardstick.
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var upstreamPort = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => { k.Listen(IPAddress.Loopback, port); k.AddServerHeader = false; });
builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
var app = builder.Build();
var request = Encoding.ASCII.GetBytes($"GET /bench HTTP/1.1\r\nHost: 127.0.0.1:{upstreamPort}\r\n\r\n");
app.Run(async context =>
{
    var items = context.Features.Get<IConnectionItemsFeature>()!.Items;
    if (!items.TryGetValue("upstream", out var state))
    {
        var created = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await created.ConnectAsync(IPAddress.Loopback, upstreamPort);
        state = (created, new byte[16384]);
        items["upstream"] = state;
    }

    var (socket, buffer) = ((Socket, byte[]))state!;
    await socket.SendAsync(request, SocketFlags.None);
    var received = 0;
    while (true)
    {
        var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
        if (n == 0)
        {
            context.Abort();
            return;
        }

        received += n;
        var headEnd = buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            continue;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        var at = head.IndexOf("Content-Length: ", StringComparison.OrdinalIgnoreCase) + 16;
        var length = int.Parse(head.AsSpan(at, head.IndexOf('\r', at) - at), System.Globalization.CultureInfo.InvariantCulture);
        if (received < headEnd + 4 + length)
        {
            continue;
        }

        context.Response.ContentLength = length;
        context.Response.ContentType = "text/plain";
        await context.Response.Body.WriteAsync(buffer.AsMemory(headEnd + 4, length));
        return;
    }
});
app.Run();
