using System.Collections.Concurrent;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>time.*</c> builtins, with Go's layout and duration syntax.</summary>
internal static class TimeBuiltins
{
    private const string TimeOperand = "either number (ns) or [number (ns), string (tz)]";
    private static readonly ConcurrentDictionary<string, GoZone> Zones = new(StringComparer.Ordinal);

    public static void Register(BuiltinTable table)
    {
        table.Add("time.now_ns", [], ValueTypes.Number, (ctx, _) => Value.From(ctx.NowNs), nondeterministic: true);
        table.Add("time.parse_ns", [ValueTypes.String, ValueTypes.String], ValueTypes.Number, ParseNs);
        table.Add("time.parse_rfc3339_ns", [ValueTypes.String], ValueTypes.Number, (_, args) => SafeNanos(GoLayout.Parse(GoLayout.Rfc3339, Args.String(args, 0))));
        table.Add("time.parse_duration_ns", [ValueTypes.String], ValueTypes.Number, (_, args) => Value.From(GoLayout.ParseDuration(Args.String(args, 0))));
        table.Add("time.format", [ValueTypes.Number | ValueTypes.Array], ValueTypes.String, Format);
        table.Add("time.date", [ValueTypes.Number | ValueTypes.Array], ValueTypes.Array, Date);
        table.Add("time.clock", [ValueTypes.Number | ValueTypes.Array], ValueTypes.Array, Clock);
        table.Add("time.weekday", [ValueTypes.Number | ValueTypes.Array], ValueTypes.String, (ctx, args) => Value.From(GoTime.LongDayNames[ToTime(args[0], out _).Weekday()]));
        table.Add("time.add_date", [ValueTypes.Number | ValueTypes.Array, ValueTypes.Number, ValueTypes.Number, ValueTypes.Number], ValueTypes.Number, AddDate);
        table.Add("test.sleep", [ValueTypes.String], ValueTypes.Boolean, Sleep, nondeterministic: true);
        table.Add("time.diff", [ValueTypes.Number | ValueTypes.Array, ValueTypes.Number | ValueTypes.Array], ValueTypes.Array, Diff);
    }

    private static Value ParseNs(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var layout = Args.String(args, 0);
        var value = Args.String(args, 1);
        if (GoLayout.Named.TryGetValue(layout, out var named))
        {
            layout = named;
        }

        return SafeNanos(GoLayout.Parse(layout, value));
    }

    /// <summary>The longest <c>test.sleep</c> honoured: a policy must not be able to park an evaluation thread.</summary>
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    private static Value Sleep(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var ns = GoLayout.ParseDuration(Args.String(args, 0));
        if (ns > 0)
        {
            var duration = TimeSpan.FromTicks(Math.Min(ns / 100, MaxSleep.Ticks));
            if (context.CancellationToken.WaitHandle.WaitOne(duration))
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }
        }

        return Value.True;
    }

    private static NumberValue SafeNanos(GoTime t) =>
        t.ToUnixNanos() is { } ns ? Value.From(ns) : throw new BuiltinErrorException("time outside of valid range");

    private static Value Format(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var t = ToTime(args[0], out var layout);
        if (layout.Length == 0)
        {
            layout = GoLayout.Rfc3339Nano;
        }
        else if (GoLayout.Named.TryGetValue(layout, out var named))
        {
            layout = named;
        }

        return Value.From(GoLayout.Format(t, layout));
    }

    private static Value Date(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var (y, m, d) = ToTime(args[0], out _).Date();
        return ArrayValue.Create(Value.From(y), Value.From(m), Value.From(d));
    }

    private static Value Clock(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var (h, m, s) = ToTime(args[0], out _).Clock();
        return ArrayValue.Create(Value.From(h), Value.From(m), Value.From(s));
    }

    private static Value AddDate(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var t = ToTime(args[0], out _);
        var years = Args.Int64(args, 1);
        var months = Args.Int64(args, 2);
        var days = Args.Int64(args, 3);
        return SafeNanos(t.AddDate(years, months, days));
    }

    private static Value Diff(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var t1 = ToTime(args[0], out _);
        var t2 = ToTime(args[1], out _).In(t1.Zone);
        if ((t1.UnixSeconds, t1.Nanos).CompareTo((t2.UnixSeconds, t2.Nanos)) > 0)
        {
            (t1, t2) = (t2, t1);
        }

        var (y1, m1, d1) = t1.Date();
        var (y2, m2, d2) = t2.Date();
        var (h1, mi1, s1) = t1.Clock();
        var (h2, mi2, s2) = t2.Clock();
        var year = y2 - y1;
        var month = m2 - m1;
        var day = d2 - d1;
        var hour = h2 - h1;
        var min = mi2 - mi1;
        var sec = s2 - s1;
        if (sec < 0)
        {
            sec += 60;
            min--;
        }

        if (min < 0)
        {
            min += 60;
            hour--;
        }

        if (hour < 0)
        {
            hour += 24;
            day--;
        }

        if (day < 0)
        {
            // Days in t1's month: day 32 of it normalises into the next month.
            var (_, _, overflowDay) = Civil.FromDays(Civil.DaysFromCivil(y1, m1, 1) + 31);
            day += 32 - overflowDay;
            month--;
        }

        if (month < 0)
        {
            month += 12;
            year--;
        }

        return ArrayValue.Create(Value.From(year), Value.From(month), Value.From(day), Value.From(hour), Value.From(min), Value.From(sec));
    }

    /// <summary>OPA's tzTime: a number of nanoseconds, or [ns, tz] / [ns, tz, layout].</summary>
    private static GoTime ToTime(Value operand, out string layout)
    {
        layout = string.Empty;
        var zone = GoZone.Utc;
        Value nanos;
        switch (operand)
        {
            case ArrayValue { Count: > 0 } array:
                nanos = array[0] as NumberValue ?? throw new BuiltinTypeException(1, "number", array[0]);
                if (array.Count > 1)
                {
                    var tz = array[1] as StringValue ?? throw new BuiltinTypeException(1, "string", array[1]);
                    zone = LoadZone(tz.Value);
                }

                if (array.Count > 2)
                {
                    layout = (array[2] as StringValue ?? throw new BuiltinTypeException(1, "string", array[2])).Value;
                }

                break;
            case NumberValue n:
                nanos = n;
                break;
            default:
                throw new BuiltinTypeException(1, TimeOperand, operand);
        }

        var number = (NumberValue)nanos;
        if (number.TryGetInt64(out var ns))
        {
            return GoTime.FromUnixNanos(ns, zone);
        }

        throw new BuiltinErrorException("timestamp too big");
    }

    private static GoZone LoadZone(string name)
    {
        // "Local" is UTC: a policy decision must not depend on the server's zone.
        if (name is "" or "UTC" or "Local")
        {
            return GoZone.Utc;
        }

        if (Zones.TryGetValue(name, out var cached))
        {
            return cached;
        }

        GoZone zone;
        try
        {
            // Go reads the TZif file itself (exact historical offsets and abbreviations); so do we when it exists.
            zone = (GoZone?)TzifGoZone.Load(name) ?? new TimeZoneInfoGoZone(TimeZoneInfo.FindSystemTimeZoneById(name));
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new BuiltinErrorException("unknown time zone " + name);
        }

        if (Zones.Count < 1024)
        {
            Zones[name] = zone;
        }

        return zone;
    }
}
