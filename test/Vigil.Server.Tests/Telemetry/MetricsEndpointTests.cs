using System.Net;
using Vigil.Server.Configuration;
using Vigil.Server.Telemetry;

namespace Vigil.Server.Tests.Telemetry;

public sealed class MetricsEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)] // IPv4 through a dual-stack socket
    [InlineData("127.0.0.2", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void IsAllowed_DefaultLoopbackList_AdmitsLoopbackOnly(string address, bool expected) =>
        Assert.Equal(expected, MetricsEndpoint.IsAllowed(IPAddress.Parse(address), MetricsConfig.DefaultAllow));

    [Fact]
    public void IsAllowed_UnknownRemoteAddress_IsRefused() =>
        Assert.False(MetricsEndpoint.IsAllowed(null, MetricsConfig.DefaultAllow));

    [Fact]
    public void IsAllowed_EmptyList_RefusesEveryone() =>
        Assert.False(MetricsEndpoint.IsAllowed(IPAddress.Loopback, []));
}
