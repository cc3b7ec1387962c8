using System.Net;

namespace Vigil.Segmentation.Model;

/// <summary>A CIDR block minus optional excepted sub-blocks (Kubernetes <c>ipBlock</c>).</summary>
public sealed record AddressBlock(IPNetwork Cidr, IReadOnlyList<IPNetwork> Except)
{
    public static readonly AddressBlock AnyV4 = new(IPNetwork.Parse("0.0.0.0/0"), []);
    public static readonly AddressBlock AnyV6 = new(IPNetwork.Parse("::/0"), []);

    public bool Contains(IPAddress address) => Cidr.Contains(address) && !Except.Any(e => e.Contains(address));

    public bool IsEverything => Cidr.PrefixLength == 0 && Except.Count == 0;

    public override string ToString() => Except.Count == 0 ? Cidr.ToString() : $"{Cidr} except {string.Join(",", Except)}";
}
