using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Security.BuiltinHarness;

namespace Vigil.Policy.Tests.Builtins.Security;

public sealed class TimeBuiltinsTests
{
    [Theory]
    [InlineData("2006-01-02T15:04:05Z07:00", "2017-06-02T19:00:00-07:00", 1496455200000000000)]
    [InlineData("2006-01-02T15:04:05Z07:00", "1677-09-21T00:12:43.145224192-00:00", long.MinValue)]
    [InlineData("2006-01-02T15:04:05Z07:00", "2262-04-11T23:47:16.854775807-00:00", long.MaxValue)]
    [InlineData("01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700", 1496455200000000000)]
    [InlineData("02 Jan 06 15:04 -0700", "02 Jun 17 19:00 -0700", 1496455200000000000)]
    [InlineData("RFC822Z", "02 Jun 17 19:00 -0700", 1496455200000000000)]
    [InlineData("2006-01-02", "2020-02-02", 1580601600000000000)]
    [InlineData("Mon Jan _2 15:04:05 MST 2006", "Fri Jun  2 19:00:00 UTC 2017", 1496430000000000000)]
    [InlineData("2006-01-02 15:04:05.000", "2017-06-02 19:00:00.250", 1496430000250000000)]
    [InlineData("January 2, 2006 3:04pm", "June 2, 2017 7:00am", 1496386800000000000)]
    public void ParseNs_GoLayouts_MatchGo(string layout, string value, long expected)
    {
        Assert.Equal(N(expected), Call("time.parse_ns", S(layout), S(value)));
    }

    [Theory]
    [InlineData("1677-09-21T00:12:43.145224191-00:00")]
    [InlineData("2262-04-11T23:47:16.854775808-00:00")]
    public void ParseNs_OutsideInt64Nanos_Errors(string value)
    {
        Assert.Equal("time outside of valid range", Error("time.parse_ns", S("2006-01-02T15:04:05Z07:00"), S(value)));
        Assert.Equal("time outside of valid range", Error("time.parse_rfc3339_ns", S(value)));
    }

    [Fact]
    public void ParseNs_BadInput_ErrorsLikeGo()
    {
        Assert.Equal("parsing time \"2017-13-01\": month out of range", Error("time.parse_ns", S("2006-01-02"), S("2017-13-01")));
        Assert.Equal("parsing time \"2017-02-30\": day out of range", Error("time.parse_ns", S("2006-01-02"), S("2017-02-30")));
        Assert.Contains("cannot parse", Error("time.parse_ns", S("2006-01-02"), S("x2017-01-01")));
        Assert.Contains("extra text", Error("time.parse_ns", S("2006-01-02"), S("2017-01-01 ")));
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00-00:00", 0)]
    [InlineData("2017-06-02T19:00:00-07:00", 1496455200000000000)]
    [InlineData("2017-06-03T02:00:00Z", 1496455200000000000)]
    [InlineData("2017-06-03T02:00:00.5Z", 1496455200500000000)]
    public void ParseRfc3339Ns_Valid_ReturnsNanos(string value, long expected)
    {
        Assert.Equal(N(expected), Call("time.parse_rfc3339_ns", S(value)));
    }

    [Theory]
    [InlineData("100ms", 100_000_000)]
    [InlineData("1h30m", 5_400_000_000_000)]
    [InlineData("-1.5s", -1_500_000_000)]
    [InlineData("0", 0)]
    [InlineData("1us", 1000)]
    [InlineData("1µs", 1000)]
    [InlineData("2h45m30.5s", 9_930_500_000_000)]
    public void ParseDurationNs_GoSyntax_ReturnsNanos(string text, long expected)
    {
        Assert.Equal(N(expected), Call("time.parse_duration_ns", S(text)));
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("1", "time: missing unit in duration \"1\"")]
    [InlineData("1x", "time: unknown unit \"x\" in duration \"1x\"")]
    [InlineData("99999999999999999999h", "time: invalid duration \"99999999999999999999h\"")]
    public void ParseDurationNs_Invalid_Errors(string text, string message)
    {
        Assert.Equal(message, Error("time.parse_duration_ns", S(text)));
    }

    [Fact]
    public void Date_Clock_Weekday_WithZones()
    {
        Assert.Equal(Json("[2018,2,5]"), Call("time.date", N(1517814000L * 1_000_000_000)));
        Assert.Equal(Json("[2018,2,4]"), Call("time.date", Json("[1517814000000000000, \"America/Los_Angeles\"]")));
        Assert.Equal(Json("[2018,2,5]"), Call("time.date", Json("[1517832000000000000, \"\"]")));
        Assert.Equal(Json("[2020,2,29]"), Call("time.date", N(1582977600L * 1_000_000_000)));
        Assert.Equal(Json("[12,0,0]"), Call("time.clock", N(1517832000L * 1_000_000_000)));
        Assert.Equal(Json("[7,0,0]"), Call("time.clock", Json("[1517832000000000000, \"America/New_York\"]")));
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(S(days[i]), Call("time.weekday", N(1517832000000000000 + (i * 86_400_000_000_000L))));
        }

        Assert.Equal(Json("[1969,12,31]"), Call("time.date", N(-1)));
    }

    [Fact]
    public void Date_TooBig_Errors()
    {
        var big = Value.FromJson("1582977600000000000000");
        Assert.Equal("timestamp too big", Error("time.date", big));
        Assert.Equal("timestamp too big", Error("time.clock", big));
        Assert.Equal("timestamp too big", Error("time.weekday", big));
        Assert.Equal("timestamp too big", Error("time.format", Value.From(1582977600 * 10e12)));
        Assert.Equal("unknown time zone Mars/Base", Error("time.date", Json("[0, \"Mars/Base\"]")));
        Assert.Equal("operand 1 must be either number (ns) or [number (ns), string (tz)] but got string", TypeError("time.date", S("x")));
    }

    [Fact]
    public void AddDate_NormalisesLikeGo()
    {
        Assert.Equal(N(1705257221593912000), Call("time.add_date", N(1585852421593912000), N(3), N(9), N(12)));
        Assert.Equal(N(1551465221593912000), Call("time.add_date", N(1585852421593912000), N(-1), N(-1), N(-1)));
        Assert.Equal("time outside of valid range", Error("time.add_date", N(0), N(2262), N(1), N(1)));
        Assert.Equal("time outside of valid range", Error("time.add_date", N(long.MinValue), N(0), N(0), N(-1)));
        Assert.Equal("time outside of valid range", Error("time.add_date", N(0), N(long.MaxValue), N(long.MaxValue), N(1)));
        // Jan 31 + 1 month = Mar 3 (2021 is not a leap year), as Go normalises.
        var jan31 = Call("time.parse_ns", S("2006-01-02"), S("2021-01-31"))!;
        Assert.Equal(Call("time.parse_ns", S("2006-01-02"), S("2021-03-03")), Call("time.add_date", jan31, N(0), N(1), N(0)));
    }

    [Fact]
    public void Diff_MatchesOpaCases()
    {
        Value Ns(string d) => Call("time.parse_ns", S("2006-01-02"), S(d))!;
        var now = 1_700_000_000_000_000_000L;
        Assert.Equal(Json("[0,0,0,0,1,1]"), Call("time.diff", N(now + 61_000_000_000), N(now)));
        Assert.Equal(Json("[0,0,0,0,1,0]"), Call("time.diff", ArrayValue.Create(N(now + 60_000_000_000), S("UTC")), ArrayValue.Create(N(now), S("Asia/Shanghai"))));
        Assert.Equal(Json("[0,0,28,0,0,0]"), Call("time.diff", Ns("2020-02-02"), Ns("2020-03-01")));
        Assert.Equal(Json("[0,0,27,0,0,0]"), Call("time.diff", Ns("2021-02-02"), Ns("2021-03-01")));
        Assert.Equal(Json("[1,0,1,0,0,0]"), Call("time.diff", Ns("2004-02-29"), Ns("2005-03-01")));
    }

    [Fact]
    public void Format_DefaultZoneAndLayouts()
    {
        const long t = 1670006453141828752;
        Assert.Equal(S("2022-12-02T18:40:53.141828752Z"), Call("time.format", N(t)));
        Assert.Equal(S("2022-12-03T00:10:53.141828752+05:30"), Call("time.format", ArrayValue.Create(N(t), S("Asia/Kolkata"))));
        Assert.Equal(S("Sat Dec 03 00:10:53 +0530 2022"), Call("time.format", ArrayValue.Create(N(t), S("Asia/Kolkata"), S("Mon Jan 02 15:04:05 -0700 2006"))));
        Assert.Equal(S("Sat, 03 Dec 2022 00:10:53 +0530"), Call("time.format", ArrayValue.Create(N(t), S("Asia/Kolkata"), S("RFC1123Z"))));
        Assert.Equal(S("Fri Dec  2 18:40:53 UTC 2022"), Call("time.format", ArrayValue.Create(N(t), S("UTC"), S("UnixDate"))));
        Assert.Equal(S("Fri Dec  2 13:40:53 EST 2022"), Call("time.format", ArrayValue.Create(N(t), S("America/New_York"), S("UnixDate"))));
        Assert.Equal(S("Fri Jul  1 20:00:00 EDT 2022"), Call("time.format", ArrayValue.Create(N(1656720000000000000), S("America/New_York"), S("UnixDate"))));
        Assert.Equal(S("6:40PM 336 .141"), Call("time.format", ArrayValue.Create(N(t), S(""), S("3:04PM 002 .000"))));
    }

    [Fact]
    public void NowNs_ReadOnceFromTimeProvider()
    {
        var now = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1234);
        var context = new BuiltinContext(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now));
        var first = CallWith(context, "time.now_ns");
        Assert.Equal(N((now - DateTimeOffset.UnixEpoch).Ticks * 100), first);
        Assert.Equal(first, CallWith(context, "time.now_ns"));
        Assert.True(BuiltinTable.Default.TryGet("time.now_ns", out var definition) && definition.Nondeterministic);
    }
}

public sealed class TestSleepTests
{
    [Fact]
    public void Sleep_IsCappedAndCancellable()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Value.True, BuiltinHarness.Call("test.sleep", Value.From("10ms")));
        Assert.Equal(Value.True, BuiltinHarness.Call("test.sleep", Value.From("1h")));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => BuiltinHarness.CallWith(new BuiltinContext(cancellationToken: cts.Token), "test.sleep", Value.From("1s")));
    }
}

public sealed class GoZoneNameParsingTests
{
    [Theory]
    [InlineData("Mon Jan _2 15:04:05 MST 2006", "Fri Jun  2 19:00:00 PST 2017")]
    [InlineData("Mon Jan _2 15:04:05 MST 2006", "Fri Jun  2 19:00:00 GMT+3 2017")]
    [InlineData("Mon Jan _2 15:04:05 MST 2006", "Fri Jun  2 19:00:00 UTC 2017")]
    public void ParseNs_ZoneAbbreviations_ReadWallClockAsUtcLikeGoWithUtcLocal(string layout, string value)
    {
        Assert.Equal(Value.From(1496430000000000000), BuiltinHarness.Call("time.parse_ns", Value.From(layout), Value.From(value)));
    }
}

public sealed class ZoneRuleTests
{
    [Theory]
    [InlineData("2040-01-15T00:00:00Z", "Australia/Sydney", "AEDT +1100")]
    [InlineData("2040-07-15T00:00:00Z", "Australia/Sydney", "AEST +1000")]
    [InlineData("2040-07-04T12:00:00Z", "America/New_York", "EDT -0400")]
    [InlineData("2040-12-25T12:00:00Z", "America/New_York", "EST -0500")]
    [InlineData("1900-01-01T00:00:00Z", "Asia/Kolkata", "MMT +0521")]
    [InlineData("2024-06-01T00:00:00Z", "Asia/Kathmandu", "+0545 +0545")]
    public void Format_ZoneAbbreviationsAndOffsets_FollowTzifAndPosixRules(string instant, string zone, string expected)
    {
        var ns = BuiltinHarness.Call("time.parse_rfc3339_ns", Value.From(instant))!;
        Assert.Equal(Value.From(expected), BuiltinHarness.Call("time.format", ArrayValue.Create(ns, Value.From(zone), Value.From("MST -0700"))));
    }

    [Fact]
    public void PosixTz_SouthernHemisphereRule_SwapsSeasons()
    {
        var rule = Vigil.Policy.Builtins.Security.PosixTz.Parse("AEST-10AEDT,M10.1.0,M4.1.0/3")!;
        Assert.True(rule.TryLookup(new DateTimeOffset(2050, 1, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), out var summer, out var summerName));
        Assert.True(rule.TryLookup(new DateTimeOffset(2050, 7, 10, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), out var winter, out var winterName));
        Assert.Equal((39600, "AEDT"), (summer, summerName));
        Assert.Equal((36000, "AEST"), (winter, winterName));
        Assert.Null(Vigil.Policy.Builtins.Security.PosixTz.Parse("X"));
    }
}
