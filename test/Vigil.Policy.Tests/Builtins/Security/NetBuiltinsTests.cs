using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Security.BuiltinHarness;

namespace Vigil.Policy.Tests.Builtins.Security;

public sealed class NetBuiltinsTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/24", true)]
    [InlineData("172.17.0.0/24", "172.17.0.0/16", false)]
    [InlineData("10.0.0.0/8", "192.168.1.0/24", false)]
    [InlineData("10.0.0.0/8", "10.1.1.1/32", true)]
    [InlineData("2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40", true)]
    [InlineData("2001:4860:4860::8888/32", "2001:4860:4860:1234:5678:1234:5678:8888/128", true)]
    [InlineData("2001:4860::/96", "2001:4860::/32", false)]
    [InlineData("2001:4860::/32", "fd1e:5bfe:8af3:9ddc::/64", false)]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "192.168.1.1", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "2001::1", false)]
    public void CidrContains_MatchesOpa(string cidr, string other, bool expected)
    {
        Assert.Equal(Value.From(expected), Call("net.cidr_contains", S(cidr), S(other)));
    }

    [Fact]
    public void CidrContains_Malformed_Errors()
    {
        Assert.Equal("invalid CIDR address: not-a-cidr", Error("net.cidr_contains", S("not-a-cidr"), S("192.168.1.67")));
        Assert.Equal("not a valid textual representation of an IP address or CIDR: not-a-cidr", Error("net.cidr_contains", S("192.168.1.0/28"), S("not-a-cidr")));
        Assert.Equal("invalid CIDR address: 010.0.0.0/8", Error("net.cidr_contains", S("010.0.0.0/8"), S("10.0.0.1")));
    }

    [Theory]
    [InlineData("192.168.1.0/25", "192.168.1.64/25", true)]
    [InlineData("192.168.1.0/24", "192.168.2.0/24", false)]
    [InlineData("fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72", true)]
    [InlineData("fd1e:5bfe:8af3:9ddc::/64", "2001:4860:4860::8888/32", false)]
    public void CidrIntersects_MatchesOpa(string a, string b, bool expected)
    {
        Assert.Equal(Value.From(expected), Call("net.cidr_intersects", S(a), S(b)));
        Assert.Equal(Value.From(expected), Call("net.cidr_intersects", S(b), S(a)));
    }

    [Theory]
    [InlineData("192.168.1.0/24", true)]
    [InlineData("", false)]
    [InlineData("there goes a string", false)]
    [InlineData("192.168.1.2", false)]
    [InlineData("2002::1234:abcd:ffff:c0a8:101/64", true)]
    [InlineData("192.168.1.1/33", false)]
    [InlineData("::/129", false)]
    public void CidrIsValid_MatchesOpa(string cidr, bool expected)
    {
        Assert.Equal(Value.From(expected), Call("net.cidr_is_valid", S(cidr)));
    }

    [Fact]
    public void CidrIsValid_NonString_IsFalse() => Assert.Equal(Value.False, Call("net.cidr_is_valid", N(1)));

    [Fact]
    public void CidrExpand_ListsAllAddresses()
    {
        Assert.Equal(Json("""["192.168.1.0","192.168.1.1","192.168.1.2","192.168.1.3"]"""), ToArray(Call("net.cidr_expand", S("192.168.1.1/30"))));
        Assert.Equal(Json("""["172.16.100.252","172.16.100.253","172.16.100.254","172.16.100.255"]"""), ToArray(Call("net.cidr_expand", S("172.16.100.255/30"))));
        Assert.Equal(Json("""["192.168.1.1"]"""), ToArray(Call("net.cidr_expand", S("192.168.1.1/32"))));
        Assert.Equal(Json("""["fe80::","fe80::1"]"""), ToArray(Call("net.cidr_expand", S("fe80::/127"))));
        Assert.Equal("invalid CIDR address: 192.168.1.1/33", Error("net.cidr_expand", S("192.168.1.1/33")));
        Assert.Contains("refusing", Error("net.cidr_expand", S("10.0.0.0/8")));
        Assert.Contains("refusing", Error("net.cidr_expand", S("::/0")));
    }

    [Fact]
    public void CidrContainsMatches_AllOperandShapes()
    {
        Assert.Equal(Json("""[["1.1.1.0/24","1.1.1.1"]]"""), ToArray(Call("net.cidr_contains_matches", S("1.1.1.0/24"), S("1.1.1.1"))));
        Assert.Equal(Json("[[0,1],[1,0]]"), ToArray(Call("net.cidr_contains_matches", Json("""["1.1.2.0/24","1.1.1.0/24"]"""), Json("""["1.1.1.1","1.1.2.1"]"""))));
        Assert.Equal(Json("[[0,1],[1,0]]"), ToArray(Call("net.cidr_contains_matches", Json("""[["1.1.2.0/24",1],"1.1.1.0/24"]"""), Json("""["1.1.1.1","1.1.2.1"]"""))));
        Assert.Equal(Json("""[["k1","1.1.1.128"],["k2","1.1.1.128"]]"""), ToArray(Call("net.cidr_contains_matches", Json("""{"k1":"1.1.1.1/24","k2":["1.1.1.2/24",1]}"""), S("1.1.1.128"))));
        var sets = Call("net.cidr_contains_matches",
            SetValue.Create(Json("""["1.1.1.0/24","bar"]"""), Json("""["1.1.2.0/24","foo"]""")),
            SetValue.Create(Json("""["1.1.1.1","baz"]"""), Json("""["1.1.2.1","qux"]""")));
        Assert.Equal(Json("""[[["1.1.1.0/24","bar"],["1.1.1.1","baz"]],[["1.1.2.0/24","foo"],["1.1.2.1","qux"]]]"""), ToArray(sets));
        Assert.Equal("operand 2: element must be string or non-empty array", Error("net.cidr_contains_matches", Json("""["1.1.2.0/24"]"""), Json("""["1.1.1.1", 1]""")));
        Assert.Equal("operand 2: element must be string or non-empty array", Error("net.cidr_contains_matches", Json("""["1.1.2.0/24"]"""), SetValue.Create(new Value[] { ArrayValue.Empty })));
    }

    [Theory]
    [InlineData("""["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]""", """["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]""")]
    [InlineData("""["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128","2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]""", """["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]""")]
    [InlineData("""["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64","2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"]""", """["2601:600:8a80:207e::/64"]""")]
    [InlineData("""["192.0.128.0/24"]""", """["192.0.128.0/24"]""")]
    [InlineData("""["192.0.128.0/24","192.0.128.0/24"]""", """["192.0.128.0/24"]""")]
    [InlineData("""["192.0.128.0/24","0.0.0.0/0"]""", """["0.0.0.0/0"]""")]
    [InlineData("""["192.0.128.0/24","192.0.129.0/24"]""", """["192.0.128.0/23"]""")]
    [InlineData("""["192.0.2.112/30","192.0.2.116/31","192.0.2.118/31"]""", """["192.0.2.112/29"]""")]
    [InlineData("""["192.0.129.0/24","192.0.130.0/24"]""", """["192.0.129.0/24","192.0.130.0/24"]""")]
    [InlineData("""["192.0.2.112/30","192.0.2.116/32","192.0.2.118/31"]""", """["192.0.2.112/30","192.0.2.116/32","192.0.2.118/31"]""")]
    [InlineData("""["192.0.2.112/31","192.0.2.116/31","192.0.2.118/31"]""", """["192.0.2.112/31","192.0.2.116/30"]""")]
    [InlineData("""["192.0.1.254/31","192.0.2.0/28","192.0.2.16/28","192.0.2.32/28","192.0.2.48/28","192.0.2.64/28","192.0.2.80/28","192.0.2.96/28","192.0.2.112/28","192.0.2.128/28","192.0.2.144/28","192.0.2.160/28","192.0.2.176/28","192.0.2.192/28","192.0.2.208/28","192.0.2.224/28","192.0.2.240/28","192.0.3.0/28"]""", """["192.0.1.254/31","192.0.2.0/24","192.0.3.0/28"]""")]
    [InlineData("""["::/0","fe80::1/128"]""", """["::/0"]""")]
    [InlineData("""["::/0","::192.0.2.0/124","ff00::101/128"]""", """["::/0"]""")]
    [InlineData("""["fe80::/120","192.0.2.0/24","192.0.3.0/24","192.0.4.0/25","192.0.4.128/25"]""", """["192.0.2.0/23","192.0.4.0/24","fe80::/120"]""")]
    [InlineData("[]", "[]")]
    [InlineData("""["192.0.2.112","192.0.2.116/31","192.0.2.118/31"]""", """["192.0.2.0/24"]""")]
    [InlineData("""["192.0.128.0","192.0.129.0"]""", """["192.0.128.0/23"]""")]
    [InlineData("""["192.0.2.112"]""", """["192.0.2.112/24"]""")]
    public void CidrMerge_MatchesOpa(string input, string expected)
    {
        Assert.Equal(Json(expected), ToArray(Call("net.cidr_merge", Json(input))));
    }

    [Fact]
    public void CidrMerge_Errors()
    {
        Assert.Equal("IPv6 invalid: needs prefix length", Error("net.cidr_merge", Json("""["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"]""")));
        Assert.Equal("invalid CIDR address: foo", Error("net.cidr_merge", Json("""["foo"]""")));
        Assert.Equal("element must be string", Error("net.cidr_merge", Json("[1]")));
        Assert.Equal(Json("""["192.0.2.112/29"]"""), ToArray(Call("net.cidr_merge", SetValue.Create(S("192.0.2.112/30"), S("192.0.2.116/31"), S("192.0.2.118/31")))));
    }

    [Fact]
    public void LookupIpAddr_LiteralsAndLocalhost()
    {
        Assert.Equal(Json("""["10.0.0.0"]"""), ToArray(Call("net.lookup_ip_addr", S("10.0.0.0"))));
        Assert.Equal(Json("""["::"]"""), ToArray(Call("net.lookup_ip_addr", S("::"))));
        var local = (SetValue)Call("net.lookup_ip_addr", S("localhost"))!;
        Assert.NotEmpty(local);
        Assert.All(local, v => Assert.Contains(((StringValue)v).Value, new[] { "127.0.0.1", "::1" }));
        Assert.Contains("lookup : no such host", Error("net.lookup_ip_addr", S("")));
    }

    private static Value ToArray(Value? value) => value switch
    {
        SetValue s => ArrayValue.Create(s.Sorted.ToArray()),
        _ => value ?? Value.Null,
    };
}
