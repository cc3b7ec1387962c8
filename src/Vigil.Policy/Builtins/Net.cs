using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>net.*</c> builtins (CIDR arithmetic with Go's net semantics, DNS lookup).</summary>
internal static class NetBuiltins
{
    /// <summary>The most addresses <c>net.cidr_expand</c> will list: more is refused rather than allocated.</summary>
    public const int MaxExpandedAddresses = 1 << 16;

    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);

    public static void Register(BuiltinTable table)
    {
        table.Add("net.cidr_contains", [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, (_, args) => Value.From(Contains(args[0], args[1])));
        table.Add("net.cidr_overlap", [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, (_, args) => Value.From(Contains(args[0], args[1])));
        table.Add("net.cidr_intersects", [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, Intersects);
        table.Add("net.cidr_contains_matches", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Set, ContainsMatches);
        table.Add("net.cidr_expand", [ValueTypes.String], ValueTypes.Set, Expand);
        table.Add("net.cidr_is_valid", [ValueTypes.String], ValueTypes.Boolean, (_, args) => Value.From(args[0] is StringValue s && GoIpNet.ParseCidr(s.Value) is not null));
        table.Add("net.cidr_merge", [ValueTypes.Array | ValueTypes.Set], ValueTypes.Set, Merge);
        table.Add("net.lookup_ip_addr", [ValueTypes.String], ValueTypes.Set, LookupIpAddr, nondeterministic: true);
    }

    private static GoIpNet Network(Value operand)
    {
        // OPA reports every CIDR operand as operand 1.
        var text = operand as StringValue ?? throw new BuiltinTypeException(1, "string", operand);
        return GoIpNet.ParseCidr(text.Value) ?? throw new BuiltinErrorException("invalid CIDR address: " + text.Value);
    }

    private static bool Contains(Value a, Value b)
    {
        var network = Network(a);
        var text = b as StringValue ?? throw new BuiltinTypeException(1, "string", b);
        if (GoIp.Parse(text.Value) is { } ip)
        {
            return network.Contains(ip);
        }

        var inner = GoIpNet.ParseCidr(text.Value)?.Normalised()
            ?? throw new BuiltinErrorException("not a valid textual representation of an IP address or CIDR: " + text.Value);
        return network.Contains(new GoIp(inner.Ip.IsV4, inner.First)) && network.Contains(new GoIp(inner.Ip.IsV4, inner.Last));
    }

    private static Value Intersects(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var a = Network(args[0]);
        var b = Network(args[1]);
        var an = a.Normalised();
        var bn = b.Normalised();
        return Value.From(a.Contains(new GoIp(bn.Ip.IsV4, bn.First)) || b.Contains(new GoIp(an.Ip.IsV4, an.First)));
    }

    private static IEnumerable<(Value Cidr, Value Index)> MatchOperand(int operand, Value value)
    {
        static Value Element(int operand, Value v) => v switch
        {
            StringValue => v,
            ArrayValue { Count: > 0 } a => a[0],
            _ => throw new BuiltinErrorException($"operand {operand}: element must be string or non-empty array"),
        };

        switch (value)
        {
            case StringValue:
                yield return (value, value);
                break;
            case ArrayValue array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return (Element(operand, array[i]), Value.From(i));
                }

                break;
            case SetValue set:
                foreach (var item in set.Sorted.ToArray())
                {
                    yield return (Element(operand, item), item);
                }

                break;
            case ObjectValue obj:
                foreach (var (key, item) in obj.Sorted.ToArray())
                {
                    yield return (Element(operand, item), key);
                }

                break;
        }
    }

    private static Value ContainsMatches(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var result = new HashSet<Value>();
        var second = args[1];
        foreach (var (cidr1, index1) in MatchOperand(1, args[0]))
        {
            foreach (var (cidr2, index2) in MatchOperand(2, second))
            {
                if (Contains(cidr1, cidr2))
                {
                    result.Add(ArrayValue.Create(index1, index2));
                }
            }
        }

        return SetValue.Wrap(result);
    }

    private static Value Expand(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var text = Args.String(args, 0);
        var network = GoIpNet.ParseCidr(text) ?? throw new BuiltinErrorException("invalid CIDR address: " + text);
        var hostBits = network.Bits - network.Prefix;
        if (hostBits > BitOperations.Log2(MaxExpandedAddresses))
        {
            throw new BuiltinErrorException($"CIDR {text} has more than {MaxExpandedAddresses} addresses, refusing to expand it");
        }

        var count = 1 << hostBits;
        var result = new HashSet<Value>(count);
        for (var i = 0; i < count; i++)
        {
            if ((i & 0xFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            result.Add(Value.From(new GoIp(network.Ip.IsV4, network.First + (UInt128)i).ToString()));
        }

        return SetValue.Wrap(result);
    }

    private sealed class Range(bool isV4, UInt128 first, UInt128 last, GoIpNet? network)
    {
        public bool IsV4 { get; } = isV4;

        public UInt128 First { get; set; } = first;

        public UInt128 Last { get; set; } = last;

        public GoIpNet? Network { get; set; } = network;
    }

    private static GoIpNet MergeElement(Value item)
    {
        var text = item as StringValue ?? throw new BuiltinErrorException("element must be string");
        if (GoIp.Parse(text.Value) is { } ip)
        {
            if (!ip.IsV4)
            {
                throw new BuiltinErrorException("IPv6 invalid: needs prefix length");
            }

            // Go's IP.DefaultMask: the classful mask.
            var first = (uint)ip.Value >> 24;
            var prefix = first < 0x80 ? 8 : first < 0xC0 ? 16 : 24;
            return new GoIpNet(ip, prefix);
        }

        return (GoIpNet.ParseCidr(text.Value) ?? throw new BuiltinErrorException("invalid CIDR address: " + text.Value)).Normalised();
    }

    private static Value Merge(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        IEnumerable<Value> items = args[0] switch
        {
            ArrayValue a => a,
            SetValue s => s.Sorted.ToArray(),
            _ => throw new BuiltinErrorException("operand must be an array"),
        };

        var ranges = new List<Range>();
        foreach (var item in items)
        {
            var network = MergeElement(item);
            ranges.Add(new Range(network.Ip.IsV4, network.First, network.Last, network));
        }

        ranges.Sort((x, y) =>
        {
            var c = x.IsV4.CompareTo(y.IsV4);
            if (c != 0)
            {
                return -c;
            }

            c = x.Last.CompareTo(y.Last);
            return c != 0 ? c : x.First.CompareTo(y.First);
        });

        for (var i = ranges.Count - 1; i > 0; i--)
        {
            var current = ranges[i];
            var previous = ranges[i - 1];
            if (current.IsV4 != previous.IsV4)
            {
                continue;
            }

            // Adjacent or overlapping: the address before current's first is within previous.
            if (current.First == 0 || current.First - 1 <= previous.Last)
            {
                previous.First = UInt128.Min(previous.First, current.First);
                previous.Last = current.Last;
                previous.Network = null;
                ranges.RemoveAt(i);
            }
        }

        var result = new HashSet<Value>();
        foreach (var range in ranges)
        {
            if (range.Network is { } network)
            {
                result.Add(Value.From(network.ToString()));
                continue;
            }

            foreach (var cidr in RangeToCidrs(range.IsV4, range.First, range.Last))
            {
                result.Add(Value.From(cidr.ToString()));
            }
        }

        return SetValue.Wrap(result);
    }

    /// <summary>The fewest CIDR blocks that exactly cover [first, last].</summary>
    private static IEnumerable<GoIpNet> RangeToCidrs(bool isV4, UInt128 first, UInt128 last)
    {
        var bits = isV4 ? 32 : 128;
        while (true)
        {
            // Largest block aligned at first that does not pass last.
            var size = first == 0 ? bits : Math.Min(bits, (int)UInt128.TrailingZeroCount(first));
            while (size > 0)
            {
                var blockLast = first + ((size >= 128 ? UInt128.MaxValue : (UInt128.One << size) - 1));
                if (blockLast >= first && blockLast <= last)
                {
                    break;
                }

                size--;
            }

            yield return new GoIpNet(new GoIp(isV4, first), bits - size);
            var end = size >= 128 ? UInt128.MaxValue : first + (UInt128.One << size) - 1;
            if (end >= last)
            {
                yield break;
            }

            first = end + 1;
        }
    }

    private static Value LookupIpAddr(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var name = Args.String(args, 0);
        if (GoIp.Parse(name) is { } literal)
        {
            return SetValue.Create(Value.From(literal.ToString()));
        }

        if (name.Length == 0 || name.Length > 253)
        {
            throw new BuiltinErrorException($"lookup {name}: no such host");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(LookupTimeout);
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddressesAsync(name, timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new BuiltinErrorException($"lookup {name}: i/o timeout");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            throw new BuiltinErrorException($"lookup {name}: no such host");
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new BuiltinErrorException($"lookup {name}: {e.Message}");
        }

        var result = new HashSet<Value>();
        foreach (var address in addresses)
        {
            var ip = GoIp.Parse(address.ToString());
            result.Add(Value.From(ip?.ToString() ?? address.ToString()));
        }

        return SetValue.Wrap(result);
    }
}
