using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Tests.Reachability;

public sealed class PortSetTests
{
    [Fact]
    public void UnionIntersectExcept_MergeRanges()
    {
        var a = PortSet.Of(Protocol.Tcp, 80, 90).Union(PortSet.Of(Protocol.Tcp, 91, 100)).Union(PortSet.Of(Protocol.Udp, 53));
        Assert.Equal("TCP 80-100, UDP 53", a.ToString());
        Assert.Equal("TCP 85-87", a.Intersect(PortSet.Of(Protocol.Tcp, 85, 87)).ToString());
        Assert.Equal("TCP 80-84, TCP 88-100", a.Except(PortSet.Of(Protocol.Tcp, 85, 87)).Except(PortSet.Of(Protocol.Udp, 1, 65535)).ToString());
        Assert.True(PortSet.Of(Protocol.Tcp, 85).IsSubsetOf(a));
        Assert.True(PortSet.AllOf(Protocol.Tcp).Union(PortSet.AllOf(Protocol.Udp)).Union(PortSet.AllOf(Protocol.Sctp)).IsAll);
        Assert.Equal(PortSet.Empty, PortSet.All.Except(PortSet.All));
    }
}
