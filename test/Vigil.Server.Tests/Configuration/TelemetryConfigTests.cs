using System.Net;
using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

public sealed class TelemetryConfigTests
{
    private static readonly string Base = Path.GetTempPath();

    private static VigilConfig Parse(string telemetry) => ConfigLoader.Parse("server:\n  listen: [http://127.0.0.1:1]\n" + telemetry, Base);

    private static ConfigException Fails(string telemetry) => Assert.Throws<ConfigException>(() => Parse(telemetry));

    [Fact]
    public void Parse_NoTelemetrySection_ServesMetricsToLoopbackOnly()
    {
        var metrics = Parse("").Telemetry.Metrics;
        Assert.True(metrics.Enabled);
        Assert.Equal([IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("::1/128")], metrics.Allow);
    }

    [Fact]
    public void Parse_AllowList_IsRead()
    {
        var metrics = Parse("telemetry:\n  metrics:\n    enabled: true\n    allow: [10.1.2.0/24, 192.0.2.7, \"fd00::/8\"]\n").Telemetry.Metrics;
        Assert.Equal([IPNetwork.Parse("10.1.2.0/24"), IPNetwork.Parse("192.0.2.7/32"), IPNetwork.Parse("fd00::/8")], metrics.Allow);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("off", false)]
    [InlineData("true", true)]
    public void Parse_Enabled_IsRead(string value, bool expected) =>
        Assert.Equal(expected, Parse($"telemetry:\n  metrics:\n    enabled: {value}\n").Telemetry.Metrics.Enabled);

    [Fact]
    public void Parse_EmptyAllowList_AllowsNobody() =>
        Assert.Empty(Parse("telemetry:\n  metrics:\n    allow: []\n").Telemetry.Metrics.Allow);

    [Theory]
    [InlineData("0.0.0.0/0")]
    [InlineData("::/0")]
    [InlineData("\"*\"")]
    public void Parse_AllowEveryAddress_IsRefusedAsInsecureWithLocation(string value)
    {
        var ex = Fails($"telemetry:\n  metrics:\n    allow: [127.0.0.1, {value}]\n");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Insecure && e.Path == "telemetry.metrics.allow[1]" && e.Line == 5);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/x")]
    public void Parse_BadCidr_IsRefusedWithLocation(string value)
    {
        var ex = Fails($"telemetry:\n  metrics:\n    allow:\n      - 127.0.0.1\n      - {value}\n");
        var error = Assert.Single(ex.Errors);
        Assert.Equal(ConfigErrorCodes.Invalid, error.Code);
        Assert.Equal("telemetry.metrics.allow[1]", error.Path);
        Assert.Equal(7, error.Line);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKeysAndBadBoolean_ListsEveryErrorWithItsLine()
    {
        var ex = Fails("telemetry:\n  tracing: on\n  metrics:\n    enabled: maybe\n    port: 9090\n");
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.UnknownKey && e.Path == "telemetry.tracing" && e.Line == 4);
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.Invalid && e.Path == "telemetry.metrics.enabled" && e.Line == 6);
        Assert.Contains(ex.Errors, e => e.Code == ConfigErrorCodes.UnknownKey && e.Path == "telemetry.metrics.port" && e.Line == 7);
        Assert.Equal(3, ex.Errors.Count);
    }
}
