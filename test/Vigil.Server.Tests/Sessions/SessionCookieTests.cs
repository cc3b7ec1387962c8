using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Gateway.Forwarding;
using Vigil.Server.Sessions;

namespace Vigil.Server.Tests.Sessions;

/// <summary>The hot path's cookie reading: it must agree with ASP.NET Core's parser whenever it answers at all.</summary>
public sealed class SessionCookieTests
{
    private const string Name = "__vigil_session";

    [Theory]
    [InlineData("__vigil_session=abc-_XYZ09", "abc-_XYZ09")]
    [InlineData("a=1; __vigil_session=abc; b=2", "abc")]
    [InlineData("a=1;__vigil_session=abc", "abc")]
    [InlineData("__vigil_session=abc  ; b=2", "abc")]
    [InlineData("a=__vigil_session=evil; __vigil_session=good", "good")]
    [InlineData("__vigil_session_x=1; __vigil_session=v", "v")]
    public void TryFind_PlainHeader_FindsWhatAspNetCoreFinds(string header, string expected)
    {
        Assert.True(SessionCookie.TryFind(new StringValues(header), Name, out var value));
        Assert.Equal(expected, value.ToString());

        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = header;
        Assert.Equal(context.Request.Cookies[Name], value.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a=1")]
    [InlineData("x__vigil_session=abc")]
    [InlineData("__vigil_session_x=abc")]
    [InlineData("__vigil_session=")]
    [InlineData("__vigil_session=a; __vigil_session=b")]
    [InlineData("__vigil_session=\"abc\"")]
    [InlineData("__vigil_session=ab%2Fc")]
    [InlineData("__vigil_session=abc def")]
    [InlineData("__vigil_session=abc, other=1")]
    [InlineData("__vigil_session =abc")]
    public void TryFind_AbsentAmbiguousOrUnusual_LeavesItToTheFullParser(string header)
    {
        Assert.False(SessionCookie.TryFind(new StringValues(header), Name, out _));
    }

    [Fact]
    public void TryFind_SeveralHeaderLines_LeavesItToTheFullParser()
    {
        Assert.False(SessionCookie.TryFind(new StringValues(["__vigil_session=a", "b=1"]), Name, out _));
        Assert.False(SessionCookie.TryFind(StringValues.Empty, Name, out _));
    }

    [Fact]
    public void Cache_SpanAndStringLookups_FindTheSameEntry_UntilItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new SessionCache(time);
        var subject = new Subject { Id = "alice", Type = SubjectTypes.User };
        cache.Add("ticket-value", subject, null);

        Assert.True(cache.TryGet("xx ticket-value xx".AsSpan(3, 12), out var bySpan));
        Assert.Same(subject, bySpan);
        Assert.True(cache.TryGet("ticket-value", out var byString));
        Assert.Same(subject, byString);
        Assert.False(cache.TryGet("ticket-valuE".AsSpan(), out var other));
        Assert.Same(Subject.Anonymous, other);

        time.Advance(SessionCache.MaxAge);
        Assert.False(cache.TryGet("ticket-value".AsSpan(), out _));
    }

    [Theory]
    [InlineData("__vigil_session=abc", null)]
    [InlineData("a=1; __vigil_session=abc; b=2", "a=1; b=2")]
    [InlineData(" a=1 ;; .AspNetCore.Antiforgery.x=t;__vigil_csrf=1; c", "a=1; c")]
    [InlineData("a=1", "a=1")]
    [InlineData("a=1, __vigil_session=abc; b=2", "b=2")] // a comma is a separator to some parsers: the part goes whole
    [InlineData("prefs=x,y; b=2", "prefs=x,y; b=2")]
    [InlineData("a=1,__VIGIL_SESSION=abc", null)]
    public void FilterCookies_DropsVigilCookies_KeepsTheRest(string header, string? expected)
    {
        Assert.Equal(expected, ForwardHeaders.FilterCookies(new StringValues(header), Name));
    }

    [Fact]
    public void FilterCookies_SeveralHeaderLines_AreJoined()
    {
        Assert.Equal("a=1; b=2", ForwardHeaders.FilterCookies(new StringValues(["a=1; __vigil_session=x", "b=2"]), Name));
        Assert.Null(ForwardHeaders.FilterCookies(StringValues.Empty, Name));
    }
}
