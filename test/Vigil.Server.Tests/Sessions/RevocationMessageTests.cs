using System.Text;
using Vigil.Server.Sessions;

namespace Vigil.Server.Tests.Sessions;

/// <summary>The revocation bus message: exactly one small, flat, version-1 JSON object, or nothing.</summary>
public sealed class RevocationMessageTests
{
    private static RevocationMessage? Parse(string json, out string reason) => RevocationMessage.TryParse(Encoding.UTF8.GetBytes(json), out reason);

    [Fact]
    public void TryParse_WhatToJsonWrites_RoundTrips()
    {
        RevocationMessage[] messages =
        [
            RevocationMessage.ForSession("0123abcd", 1_767_225_600, 1_767_830_400),
            RevocationMessage.ForUser("auth0|user\"with quotes", 1_767_225_600),
            RevocationMessage.ForProbe("node-1", 1_767_225_600),
        ];
        foreach (var message in messages)
        {
            Assert.Equal(message, RevocationMessage.TryParse(message.ToJson(), out var reason));
            Assert.Equal("", reason);
        }
    }

    [Fact]
    public void TryParse_UnknownFieldOfALaterMinorChange_IsIgnored()
    {
        var message = Parse("""{"v":1,"type":"user","id":"u1","at":1767225600,"origin":"node-b"}""", out _);
        Assert.Equal(RevocationMessage.ForUser("u1", 1_767_225_600), message);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("garbage", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"v":1,"type":"user","id":"u1","at":1767225600} {}""", "not")]
    [InlineData("""{"v":2,"type":"user","id":"u1","at":1767225600}""", "version 2")]
    [InlineData("""{"v":"1","type":"user","id":"u1","at":1767225600}""", "version -1")]
    [InlineData("""{"type":"user","id":"u1","at":1767225600}""", "no version")]
    [InlineData("""{"v":1,"type":"unrevoke","id":"u1","at":1767225600}""", "unknown type 'unrevoke'")]
    [InlineData("""{"v":1,"id":"u1","at":1767225600}""", "no type")]
    [InlineData("""{"v":1,"type":"user","id":"u1","id":"u2","at":1767225600}""", "appears twice")]
    [InlineData("""{"v":1,"type":"user","id":{"$ne":null},"at":1767225600}""", "not a single value")]
    [InlineData("""{"v":1,"type":"user","id":["a"],"at":1767225600}""", "not a single value")]
    [InlineData("""{"v":1,"type":"user","id":"","at":1767225600}""", "id missing")]
    [InlineData("""{"v":1,"type":"user","id":"a\u0000b","at":1767225600}""", "control characters")]
    [InlineData("""{"v":1,"type":"user","id":"u1"}""", "'at' missing")]
    [InlineData("""{"v":1,"type":"user","id":"u1","at":-5}""", "'at' missing")]
    [InlineData("""{"v":1,"type":"user","id":"u1","at":1e300}""", "'at' missing")]
    [InlineData("""{"v":1,"type":"session","id":"s1","at":1767225600}""", "'expires' missing")]
    [InlineData("""{"v":1,"type":"session","id":"s1","at":1767225600,"expires":99999999999999}""", "'expires' missing")]
    public void TryParse_Malformed_IsRefusedWithAReason(string json, string expected)
    {
        Assert.Null(Parse(json, out var reason));
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_TooLargeOrTooDeep_IsRefusedWithoutThrowing()
    {
        Assert.Null(Parse("{\"v\":1,\"type\":\"user\",\"id\":\"" + new string('a', 5000) + "\",\"at\":1767225600}", out var reason));
        Assert.Contains("larger than", reason, StringComparison.Ordinal);
        Assert.Null(Parse("{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 301), out reason));
        Assert.Null(Parse("{\"v\":1,\"type\":\"user\",\"id\":\"" + new string('a', 257) + "\",\"at\":1767225600}", out reason));
        Assert.Contains("longer than 256", reason, StringComparison.Ordinal);
    }
}
