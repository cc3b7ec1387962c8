using System.Buffers.Binary;
using System.Net;

namespace Vigil.Segmentation.Tests.Support;

/// <summary>One packet logged by netfilter: the log prefix and the IPv4/TCP addresses of the packet.</summary>
internal sealed record LoggedPacket(string Prefix, IPAddress Source, IPAddress Destination, int DestinationPort);

/// <summary>Reads a pcap file of link type NFLOG (as written by <c>tcpdump -i nflog:N -w FILE</c>).</summary>
internal static class NflogPcap
{
    private const int NfulaPayload = 9;
    private const int NfulaPrefix = 10;

    public static List<LoggedPacket> Read(string file)
    {
        var result = new List<LoggedPacket>();
        byte[] data;
        using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            data = new byte[fs.Length];
            fs.ReadExactly(data);
        }
        if (data.Length < 24) return result;
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var little = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
        var pos = 24;
        while (pos + 16 <= data.Length)
        {
            var length = (int)U32(pos + 8);
            var start = pos + 16;
            if (start + length > data.Length) break; // partially written record
            var rec = data.AsSpan(start, length);
            pos = start + length;
            string? prefix = null;
            ReadOnlySpan<byte> payload = default;
            var t = 4; // family, version, resource id
            while (t + 4 <= rec.Length)
            {
                // TLV length and type are in host byte order in DLT_NFLOG.
                var tlvLength = BitConverter.ToUInt16(rec[t..]);
                var tlvType = BitConverter.ToUInt16(rec[(t + 2)..]) & 0x7fff;
                if (tlvLength < 4 || t + tlvLength > rec.Length) break;
                var value = rec.Slice(t + 4, tlvLength - 4);
                if (tlvType == NfulaPrefix) prefix = System.Text.Encoding.ASCII.GetString(value).TrimEnd('\0');
                if (tlvType == NfulaPayload) payload = value;
                t += (tlvLength + 3) & ~3;
            }
            if (prefix is null || payload.Length < 24 || payload[0] >> 4 != 4 || payload[9] != 6) continue;
            var ihl = (payload[0] & 0xf) * 4;
            result.Add(new LoggedPacket(prefix, new IPAddress(payload.Slice(12, 4)), new IPAddress(payload.Slice(16, 4)), BinaryPrimitives.ReadUInt16BigEndian(payload[(ihl + 2)..])));
        }
        return result;
    }
}
