using System.Net;
using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.HostGroups;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Compilers;

/// <summary>A disjoint IPv4 interval and the ports allowed with it.</summary>
internal sealed record AddressPorts(uint First, uint Last, PortSet Ports);

/// <summary>
/// The allowed inbound and outbound traffic of one host, normalised into disjoint address intervals so the
/// compiled sets have no overlapping elements and one lookup decides a packet.
/// </summary>
internal sealed record HostRules(GroupHost Host, IReadOnlyList<string> Groups, IReadOnlyList<AddressPorts> Inbound, IReadOnlyList<AddressPorts> Outbound, IReadOnlyList<string> InboundFlows, IReadOnlyList<string> OutboundFlows)
{
    public static IReadOnlyList<HostRules> Build(SegmentsModel segments, DiagnosticBag diagnostics)
    {
        var result = new List<HostRules>();
        foreach (var g in segments.Groups)
        {
            foreach (var n in g.Networks.Where(n => !Cidr.IsV4(n)))
                diagnostics.Error(SegmentationErrorCodes.Unsupported, $"group {g.Name}: {n} is IPv6; the nftables/iptables compilers emit IPv4 rules only", g.Location);
        }
        if (diagnostics.HasErrors) return result;
        foreach (var host in segments.Groups.SelectMany(g => g.Hosts).DistinctBy(h => h.Name))
        {
            var mine = segments.Groups.Where(g => g.Contains(host.Address)).Select(g => g.Name).ToList();
            var inbound = new List<(IPNetwork, PortSet)>();
            var outbound = new List<(IPNetwork, PortSet)>();
            var inText = new List<string>();
            var outText = new List<string>();
            foreach (var f in segments.Flows)
            {
                if (f.To.Any(mine.Contains))
                {
                    foreach (var src in f.From.Select(x => segments.Group(x)!)) inbound.AddRange(src.Networks.Select(n => (n, f.Ports)));
                    inText.Add(Describe(f));
                }
                if (f.From.Any(mine.Contains))
                {
                    foreach (var dst in f.To.Select(x => segments.Group(x)!)) outbound.AddRange(dst.Networks.Select(n => (n, f.Ports)));
                    outText.Add(Describe(f));
                }
            }
            result.Add(new HostRules(host, mine, Normalize(inbound), Normalize(outbound), inText, outText));
        }
        return result;
    }

    /// <summary>A short comment for a flow; long group lists are cut so each host's file stays small.</summary>
    internal static string Describe(GroupFlow f)
    {
        static string Names(IReadOnlyList<string> n) => n.Count <= 4 ? string.Join(",", n) : $"{string.Join(",", n.Take(3))},... (+{n.Count - 3} more)";
        return $"flows[{f.Index}] {Names(f.From)} -> {Names(f.To)} {f.Ports}";
    }

    /// <summary>Splits overlapping networks into disjoint intervals, each with the union of the ports of every network covering it.</summary>
    internal static List<AddressPorts> Normalize(List<(IPNetwork Network, PortSet Ports)> entries)
    {
        var bounds = new SortedSet<ulong>();
        var ranges = entries.Select(e => (Range: Cidr.Range(e.Network), e.Ports)).ToList();
        foreach (var (r, _) in ranges)
        {
            bounds.Add(r.First);
            bounds.Add((ulong)r.Last + 1);
        }
        var points = bounds.ToList();
        var result = new List<AddressPorts>();
        for (var i = 0; i + 1 < points.Count; i++)
        {
            var lo = points[i];
            var hi = points[i + 1] - 1;
            var ports = PortSet.Empty;
            foreach (var (r, p) in ranges)
            {
                if (r.First <= lo && r.Last >= hi) ports = ports.Union(p);
            }
            if (ports.IsEmpty) continue;
            if (result.Count > 0 && result[^1].Last + 1UL == lo && result[^1].Ports.Equals(ports))
                result[^1] = result[^1] with { Last = (uint)hi };
            else
                result.Add(new AddressPorts((uint)lo, (uint)hi, ports));
        }
        return result;
    }

    /// <summary>Covers an interval with the fewest CIDR blocks (for ipset, which takes networks).</summary>
    internal static IEnumerable<string> ToCidrs(uint first, uint last)
    {
        ulong cur = first;
        while (cur <= last)
        {
            var size = 32;
            while (size > 0)
            {
                var block = 1UL << (33 - size);
                if ((cur & (block - 1)) != 0 || cur + block - 1 > last) break;
                size--;
            }
            yield return $"{Cidr.FromUInt((uint)cur)}/{size}";
            cur += 1UL << (32 - size);
        }
    }

    internal static string AddressText(uint first, uint last)
    {
        if (first == last) return Cidr.FromUInt(first).ToString();
        var cidrs = ToCidrs(first, last).ToList();
        return cidrs.Count == 1 ? cidrs[0] : $"{Cidr.FromUInt(first)}-{Cidr.FromUInt(last)}";
    }
}
