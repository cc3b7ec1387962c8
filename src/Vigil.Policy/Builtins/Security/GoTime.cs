using System.Globalization;
using System.Text;

namespace Vigil.Policy.Builtins.Security;

/// <summary>A time zone as Go's <c>time.Location</c> sees it: an offset (and abbreviation) for each instant.</summary>
internal abstract class GoZone
{
    public static readonly GoZone Utc = new FixedGoZone(0, "UTC");

    /// <summary>Offset east of UTC in seconds, and the zone abbreviation ("" when unknown), at a Unix second.</summary>
    public abstract int OffsetAt(long unixSeconds, out string abbreviation);

    /// <summary>Converts local wall-clock seconds (as if UTC) to Unix seconds, like Go's time.Date.</summary>
    public long LocalToUnix(long localSeconds)
    {
        var offset = OffsetAt(localSeconds, out _);
        var unix = localSeconds - offset;
        var offset2 = OffsetAt(unix, out _);
        if (offset2 != offset)
        {
            var unix2 = localSeconds - offset2;
            if (OffsetAt(unix2, out _) == offset2)
            {
                return unix2;
            }
        }

        return unix;
    }
}

internal sealed class FixedGoZone(int offset, string name) : GoZone
{
    public override int OffsetAt(long unixSeconds, out string abbreviation)
    {
        abbreviation = name;
        return offset;
    }
}

internal sealed class TimeZoneInfoGoZone(TimeZoneInfo zone) : GoZone
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds() + 86_400;
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 86_400;

    public override int OffsetAt(long unixSeconds, out string abbreviation)
    {
        var clamped = Math.Clamp(unixSeconds, MinSeconds, MaxSeconds);
        var instant = DateTimeOffset.FromUnixTimeSeconds(clamped);
        var offset = (int)zone.GetUtcOffset(instant).TotalSeconds;
        var name = zone.IsDaylightSavingTime(instant) ? zone.DaylightName : zone.StandardName;
        abbreviation = LooksLikeAbbreviation(name) ? name : string.Empty;
        return offset;
    }

    private static bool LooksLikeAbbreviation(string name)
    {
        if (name.Length is < 2 or > 6)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterUpper(c) || c is '+' or '-' || char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A Go <c>time.Time</c>: an instant (Unix seconds + nanoseconds) seen in a zone.</summary>
internal readonly record struct GoTime(long UnixSeconds, int Nanos, GoZone Zone)
{
    public static readonly string[] LongMonthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    public static readonly string[] LongDayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    public static GoTime FromUnixNanos(long ns, GoZone zone)
    {
        var sec = Math.DivRem(ns, 1_000_000_000L, out var rem);
        if (rem < 0)
        {
            rem += 1_000_000_000L;
            sec--;
        }

        return new GoTime(sec, (int)rem, zone);
    }

    /// <summary>Unix nanoseconds, or null when the instant does not fit in 64 bits (outside 1677..2262).</summary>
    public long? ToUnixNanos()
    {
        var total = ((Int128)UnixSeconds * 1_000_000_000) + Nanos;
        return total < long.MinValue || total > long.MaxValue ? null : (long)total;
    }

    public int Offset => Zone.OffsetAt(UnixSeconds, out _);

    private long LocalSeconds => UnixSeconds + Offset;

    public (long Year, int Month, int Day) Date() => Civil.FromDays(Civil.FloorDiv(LocalSeconds, 86_400));

    public (int Hour, int Minute, int Second) Clock()
    {
        var s = (int)Civil.FloorMod(LocalSeconds, 86_400);
        return (s / 3600, s / 60 % 60, s % 60);
    }

    /// <summary>0 = Sunday.</summary>
    public int Weekday() => (int)Civil.FloorMod(Civil.FloorDiv(LocalSeconds, 86_400) + 4, 7);

    /// <summary>1-based day of the year.</summary>
    public int YearDay()
    {
        var (y, _, _) = Date();
        return (int)(Civil.FloorDiv(LocalSeconds, 86_400) - Civil.DaysFromCivil(y, 1, 1)) + 1;
    }

    public GoTime In(GoZone zone) => this with { Zone = zone };

    /// <summary>Go's time.Date: builds a time from (possibly out-of-range) fields, normalising them. Null on arithmetic overflow.</summary>
    public static GoTime? Build(Int128 year, Int128 month, Int128 day, Int128 hour, Int128 minute, Int128 second, Int128 nanos, GoZone zone)
    {
        var m0 = month - 1;
        year += Civil.FloorDiv(m0, 12);
        m0 = Civil.FloorMod(m0, 12);
        second += Civil.FloorDiv(nanos, 1_000_000_000);
        nanos = Civil.FloorMod(nanos, 1_000_000_000);
        var seconds = (hour * 3600) + (minute * 60) + second;
        day += Civil.FloorDiv(seconds, 86_400);
        seconds = Civil.FloorMod(seconds, 86_400);
        if (year > 1_000_000_000 || year < -1_000_000_000 || day > 1_000_000_000_000 || day < -1_000_000_000_000)
        {
            return null;
        }

        var days = Civil.DaysFromCivil((long)year, (int)m0 + 1, 1) + (long)day - 1;
        var local = (days * 86_400) + (long)seconds;
        return new GoTime(zone.LocalToUnix(local), (int)nanos, zone);
    }

    public GoTime AddDate(long years, long months, long days)
    {
        var (y, m, d) = Date();
        var (h, mi, s) = Clock();
        return Build((Int128)y + years, (Int128)m + months, (Int128)d + days, h, mi, s, Nanos, Zone)
            ?? throw new BuiltinErrorException("time outside of valid range");
    }
}

/// <summary>Proleptic Gregorian calendar arithmetic on day numbers (0 = 1970-01-01).</summary>
internal static class Civil
{
    public static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    public static long FloorMod(long a, long b) => a - (FloorDiv(a, b) * b);

    public static Int128 FloorDiv(Int128 a, Int128 b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    public static Int128 FloorMod(Int128 a, Int128 b) => a - (FloorDiv(a, b) * b);

    public static long DaysFromCivil(long y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        var era = FloorDiv(y, 400);
        var yoe = y - (era * 400);
        var mp = (m + 9) % 12;
        var doy = ((153 * mp) + 2) / 5 + d - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146_097) + doe - 719_468;
    }

    public static (long Year, int Month, int Day) FromDays(long z)
    {
        z += 719_468;
        var era = FloorDiv(z, 146_097);
        var doe = z - (era * 146_097);
        var yoe = (doe - (doe / 1460) + (doe / 36_524) - (doe / 146_096)) / 365;
        var y = yoe + (era * 400);
        var doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        var mp = ((5 * doy) + 2) / 153;
        var d = (int)(doy - (((153 * mp) + 2) / 5) + 1);
        var m = (int)(mp < 10 ? mp + 3 : mp - 9);
        return (m <= 2 ? y + 1 : y, m, d);
    }

    public static bool IsLeap(long year) => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);

    public static int DaysIn(int month, long year) => month switch
    {
        2 => IsLeap(year) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };
}

/// <summary>Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): formatting and parsing, as Go's time package does.</summary>
internal static class GoLayout
{
    public const string Rfc3339 = "2006-01-02T15:04:05Z07:00";
    public const string Rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00";

    /// <summary>The layout constants OPA accepts by name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Named = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ANSIC"] = "Mon Jan _2 15:04:05 2006",
        ["UnixDate"] = "Mon Jan _2 15:04:05 MST 2006",
        ["RubyDate"] = "Mon Jan 02 15:04:05 -0700 2006",
        ["RFC822"] = "02 Jan 06 15:04 MST",
        ["RFC822Z"] = "02 Jan 06 15:04 -0700",
        ["RFC850"] = "Monday, 02-Jan-06 15:04:05 MST",
        ["RFC1123"] = "Mon, 02 Jan 2006 15:04:05 MST",
        ["RFC1123Z"] = "Mon, 02 Jan 2006 15:04:05 -0700",
        ["RFC3339"] = Rfc3339,
        ["RFC3339Nano"] = Rfc3339Nano,
    };

    private enum Std
    {
        None,
        LongMonth,
        Month,
        NumMonth,
        ZeroMonth,
        LongWeekDay,
        WeekDay,
        Day,
        UnderDay,
        ZeroDay,
        UnderYearDay,
        ZeroYearDay,
        Hour,
        Hour12,
        ZeroHour12,
        Minute,
        ZeroMinute,
        Second,
        ZeroSecond,
        LongYear,
        Year,
        PM,
        Lpm,
        TZ,
        Iso8601TZ,
        Iso8601SecondsTZ,
        Iso8601ShortTZ,
        Iso8601ColonTZ,
        Iso8601ColonSecondsTZ,
        NumTZ,
        NumSecondsTz,
        NumShortTZ,
        NumColonTZ,
        NumColonSecondsTZ,
        FracSecond0,
        FracSecond9,
    }

    private readonly record struct Chunk(string Prefix, Std Std, int Digits, char Separator, string Suffix, string Element);

    private static readonly Std[] Std0x = [Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year];

    private static bool StartsWithLower(string s, int i) => i < s.Length && s[i] is >= 'a' and <= 'z';

    private static bool IsDigit(string s, int i) => i < s.Length && s[i] is >= '0' and <= '9';

    private static bool At(string s, int i, string token) => string.CompareOrdinal(s, i, token, 0, token.Length) == 0 && s.Length - i >= token.Length;

    private static Chunk NextChunk(string layout)
    {
        for (var i = 0; i < layout.Length; i++)
        {
            Chunk Make(Std std, int length, int prefixEnd = -1) =>
                new(layout[..(prefixEnd < 0 ? i : prefixEnd)], std, 0, '.', layout[(i + length)..], layout.Substring(prefixEnd < 0 ? i : prefixEnd, i + length - (prefixEnd < 0 ? i : prefixEnd)));

            switch (layout[i])
            {
                case 'J':
                    if (At(layout, i, "Jan"))
                    {
                        if (At(layout, i, "January"))
                        {
                            return Make(Std.LongMonth, 7);
                        }

                        if (!StartsWithLower(layout, i + 3))
                        {
                            return Make(Std.Month, 3);
                        }
                    }

                    break;
                case 'M':
                    if (At(layout, i, "Mon"))
                    {
                        if (At(layout, i, "Monday"))
                        {
                            return Make(Std.LongWeekDay, 6);
                        }

                        if (!StartsWithLower(layout, i + 3))
                        {
                            return Make(Std.WeekDay, 3);
                        }
                    }

                    if (At(layout, i, "MST"))
                    {
                        return Make(Std.TZ, 3);
                    }

                    break;
                case '0':
                    if (i + 1 < layout.Length && layout[i + 1] is >= '1' and <= '6')
                    {
                        return Make(Std0x[layout[i + 1] - '1'], 2);
                    }

                    if (At(layout, i, "002"))
                    {
                        return Make(Std.ZeroYearDay, 3);
                    }

                    break;
                case '1':
                    return At(layout, i, "15") ? Make(Std.Hour, 2) : Make(Std.NumMonth, 1);
                case '2':
                    return At(layout, i, "2006") ? Make(Std.LongYear, 4) : Make(Std.Day, 1);
                case '_':
                    if (At(layout, i, "_2"))
                    {
                        if (At(layout, i + 1, "2006"))
                        {
                            return new Chunk(layout[..(i + 1)], Std.LongYear, 0, '.', layout[(i + 5)..], "2006");
                        }

                        return Make(Std.UnderDay, 2);
                    }

                    if (At(layout, i, "__2"))
                    {
                        return Make(Std.UnderYearDay, 3);
                    }

                    break;
                case '3':
                    return Make(Std.Hour12, 1);
                case '4':
                    return Make(Std.Minute, 1);
                case '5':
                    return Make(Std.Second, 1);
                case 'P':
                    if (At(layout, i, "PM"))
                    {
                        return Make(Std.PM, 2);
                    }

                    break;
                case 'p':
                    if (At(layout, i, "pm"))
                    {
                        return Make(Std.Lpm, 2);
                    }

                    break;
                case '-':
                    if (At(layout, i, "-070000"))
                    {
                        return Make(Std.NumSecondsTz, 7);
                    }

                    if (At(layout, i, "-07:00:00"))
                    {
                        return Make(Std.NumColonSecondsTZ, 9);
                    }

                    if (At(layout, i, "-0700"))
                    {
                        return Make(Std.NumTZ, 5);
                    }

                    if (At(layout, i, "-07:00"))
                    {
                        return Make(Std.NumColonTZ, 6);
                    }

                    if (At(layout, i, "-07"))
                    {
                        return Make(Std.NumShortTZ, 3);
                    }

                    break;
                case 'Z':
                    if (At(layout, i, "Z070000"))
                    {
                        return Make(Std.Iso8601SecondsTZ, 7);
                    }

                    if (At(layout, i, "Z07:00:00"))
                    {
                        return Make(Std.Iso8601ColonSecondsTZ, 9);
                    }

                    if (At(layout, i, "Z0700"))
                    {
                        return Make(Std.Iso8601TZ, 5);
                    }

                    if (At(layout, i, "Z07:00"))
                    {
                        return Make(Std.Iso8601ColonTZ, 6);
                    }

                    if (At(layout, i, "Z07"))
                    {
                        return Make(Std.Iso8601ShortTZ, 3);
                    }

                    break;
                case '.' or ',':
                    if (i + 1 < layout.Length && layout[i + 1] is '0' or '9')
                    {
                        var ch = layout[i + 1];
                        var j = i + 1;
                        while (j < layout.Length && layout[j] == ch)
                        {
                            j++;
                        }

                        if (!IsDigit(layout, j))
                        {
                            var std = ch == '0' ? Std.FracSecond0 : Std.FracSecond9;
                            return new Chunk(layout[..i], std, j - (i + 1), layout[i], layout[j..], layout[i..j]);
                        }
                    }

                    break;
            }
        }

        return new Chunk(layout, Std.None, 0, '.', string.Empty, string.Empty);
    }

    private static void AppendInt(StringBuilder sb, long value, int width)
    {
        if (value < 0)
        {
            sb.Append('-');
            value = -value;
        }

        var digits = value.ToString(CultureInfo.InvariantCulture);
        for (var i = digits.Length; i < width; i++)
        {
            sb.Append('0');
        }

        sb.Append(digits);
    }

    /// <summary>Go's Time.Format.</summary>
    public static string Format(GoTime t, string layout)
    {
        var sb = new StringBuilder(layout.Length + 10);
        var offset = t.Zone.OffsetAt(t.UnixSeconds, out var abbreviation);
        var (year, month, day) = t.Date();
        var (hour, minute, second) = t.Clock();
        while (layout.Length > 0)
        {
            var chunk = NextChunk(layout);
            sb.Append(chunk.Prefix);
            if (chunk.Std == Std.None)
            {
                break;
            }

            layout = chunk.Suffix;
            switch (chunk.Std)
            {
                case Std.Year:
                    AppendInt(sb, Math.Abs(year) % 100, 2);
                    break;
                case Std.LongYear:
                    AppendInt(sb, year, 4);
                    break;
                case Std.Month:
                    sb.Append(GoTime.LongMonthNames[month - 1].AsSpan(0, 3));
                    break;
                case Std.LongMonth:
                    sb.Append(GoTime.LongMonthNames[month - 1]);
                    break;
                case Std.NumMonth:
                    AppendInt(sb, month, 0);
                    break;
                case Std.ZeroMonth:
                    AppendInt(sb, month, 2);
                    break;
                case Std.WeekDay:
                    sb.Append(GoTime.LongDayNames[t.Weekday()].AsSpan(0, 3));
                    break;
                case Std.LongWeekDay:
                    sb.Append(GoTime.LongDayNames[t.Weekday()]);
                    break;
                case Std.Day:
                    AppendInt(sb, day, 0);
                    break;
                case Std.UnderDay:
                    if (day < 10)
                    {
                        sb.Append(' ');
                    }

                    AppendInt(sb, day, 0);
                    break;
                case Std.ZeroDay:
                    AppendInt(sb, day, 2);
                    break;
                case Std.UnderYearDay:
                    {
                        var yday = t.YearDay();
                        if (yday < 100)
                        {
                            sb.Append(' ');
                            if (yday < 10)
                            {
                                sb.Append(' ');
                            }
                        }

                        AppendInt(sb, yday, 0);
                        break;
                    }

                case Std.ZeroYearDay:
                    AppendInt(sb, t.YearDay(), 3);
                    break;
                case Std.Hour:
                    AppendInt(sb, hour, 2);
                    break;
                case Std.Hour12:
                case Std.ZeroHour12:
                    {
                        var hr = hour % 12;
                        if (hr == 0)
                        {
                            hr = 12;
                        }

                        AppendInt(sb, hr, chunk.Std == Std.ZeroHour12 ? 2 : 0);
                        break;
                    }

                case Std.Minute:
                    AppendInt(sb, minute, 0);
                    break;
                case Std.ZeroMinute:
                    AppendInt(sb, minute, 2);
                    break;
                case Std.Second:
                    AppendInt(sb, second, 0);
                    break;
                case Std.ZeroSecond:
                    AppendInt(sb, second, 2);
                    break;
                case Std.PM:
                    sb.Append(hour >= 12 ? "PM" : "AM");
                    break;
                case Std.Lpm:
                    sb.Append(hour >= 12 ? "pm" : "am");
                    break;
                case Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ
                    or Std.NumTZ or Std.NumColonTZ or Std.NumSecondsTz or Std.NumShortTZ or Std.NumColonSecondsTZ:
                    {
                        var iso = chunk.Std is Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ;
                        if (iso && offset == 0)
                        {
                            sb.Append('Z');
                            break;
                        }

                        var zone = offset / 60;
                        var absOffset = offset;
                        if (zone < 0)
                        {
                            sb.Append('-');
                            zone = -zone;
                            absOffset = -absOffset;
                        }
                        else
                        {
                            sb.Append('+');
                        }

                        AppendInt(sb, zone / 60, 2);
                        var colon = chunk.Std is Std.Iso8601ColonTZ or Std.NumColonTZ or Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ;
                        if (colon)
                        {
                            sb.Append(':');
                        }

                        if (chunk.Std is not (Std.NumShortTZ or Std.Iso8601ShortTZ))
                        {
                            AppendInt(sb, zone % 60, 2);
                        }

                        if (chunk.Std is Std.Iso8601SecondsTZ or Std.NumSecondsTz or Std.NumColonSecondsTZ or Std.Iso8601ColonSecondsTZ)
                        {
                            if (colon)
                            {
                                sb.Append(':');
                            }

                            AppendInt(sb, absOffset % 60, 2);
                        }

                        break;
                    }

                case Std.TZ:
                    if (abbreviation.Length > 0)
                    {
                        sb.Append(abbreviation);
                        break;
                    }

                    {
                        var zone = offset / 60;
                        if (zone < 0)
                        {
                            sb.Append('-');
                            zone = -zone;
                        }
                        else
                        {
                            sb.Append('+');
                        }

                        AppendInt(sb, zone / 60, 2);
                        AppendInt(sb, zone % 60, 2);
                        break;
                    }

                case Std.FracSecond0:
                case Std.FracSecond9:
                    AppendNanos(sb, t.Nanos, chunk.Digits, chunk.Std == Std.FracSecond9, chunk.Separator);
                    break;
            }
        }

        return sb.ToString();
    }

    private static void AppendNanos(StringBuilder sb, int nanos, int digits, bool trim, char separator)
    {
        var text = nanos.ToString("D9", CultureInfo.InvariantCulture);
        if (digits > 9)
        {
            digits = 9;
        }

        var part = text[..digits];
        if (trim)
        {
            part = part.TrimEnd('0');
            if (part.Length == 0)
            {
                return;
            }
        }

        sb.Append(separator).Append(part);
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static BuiltinErrorException ParseError(string layout, string value, string layoutElem, string valueElem, string? message = null) =>
        new(message is null
            ? $"parsing time {Quote(value)} as {Quote(layout)}: cannot parse {Quote(valueElem)} as {Quote(layoutElem)}"
            : $"parsing time {Quote(value)}{message}");

    private static bool GetNum(ref string value, bool fixedWidth, out int n)
    {
        n = 0;
        if (!IsDigit(value, 0))
        {
            return false;
        }

        if (!IsDigit(value, 1))
        {
            if (fixedWidth)
            {
                return false;
            }

            n = value[0] - '0';
            value = value[1..];
            return true;
        }

        n = ((value[0] - '0') * 10) + (value[1] - '0');
        value = value[2..];
        return true;
    }

    private static bool GetNum3(ref string value, bool fixedWidth, out int n)
    {
        n = 0;
        var i = 0;
        while (i < 3 && IsDigit(value, i))
        {
            n = (n * 10) + (value[i] - '0');
            i++;
        }

        if (i == 0 || (fixedWidth && i != 3))
        {
            return false;
        }

        value = value[i..];
        return true;
    }

    private static bool Skip(ref string value, string prefix)
    {
        while (prefix.Length > 0)
        {
            if (prefix[0] == ' ')
            {
                if (value.Length > 0 && value[0] != ' ')
                {
                    return false;
                }

                prefix = prefix.TrimStart(' ');
                value = value.TrimStart(' ');
                continue;
            }

            if (value.Length == 0 || value[0] != prefix[0])
            {
                return false;
            }

            prefix = prefix[1..];
            value = value[1..];
        }

        return true;
    }

    private static int Lookup(string[] names, int length, ref string value)
    {
        for (var i = 0; i < names.Length; i++)
        {
            var name = length > 0 ? names[i][..length] : names[i];
            if (value.Length >= name.Length && string.Compare(value, 0, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                value = value[name.Length..];
                return i;
            }
        }

        return -1;
    }

    private static bool ParseNanos(string value, int nbytes, out int nanos)
    {
        nanos = 0;
        if (value.Length < nbytes || value[0] is not ('.' or ','))
        {
            return false;
        }

        var digits = nbytes - 1;
        var take = Math.Min(digits, 9);
        for (var i = 1; i <= take; i++)
        {
            if (!IsDigit(value, i))
            {
                return false;
            }

            nanos = (nanos * 10) + (value[i] - '0');
        }

        for (var i = take; i < 9; i++)
        {
            nanos *= 10;
        }

        return true;
    }

    /// <summary>Go's parseTimeZone: the length of a zone abbreviation at the start of value, or 0.</summary>
    private static int TimeZoneLength(string value)
    {
        if (value.Length < 3)
        {
            return 0;
        }

        if (value.StartsWith("ChST", StringComparison.Ordinal) || value.StartsWith("MeST", StringComparison.Ordinal))
        {
            return 4;
        }

        if (value.StartsWith("GMT", StringComparison.Ordinal))
        {
            return value.Length == 3 ? 3 : 3 + SignedOffsetLength(value[3..]);
        }

        if (value[0] is '+' or '-')
        {
            return SignedOffsetLength(value);
        }

        var upper = 0;
        while (upper < 6 && upper < value.Length && char.IsAsciiLetterUpper(value[upper]))
        {
            upper++;
        }

        return upper switch
        {
            3 => 3,
            4 when value[3] == 'T' || value.StartsWith("WITA", StringComparison.Ordinal) => 4,
            5 when value[4] == 'T' => 5,
            _ => 0,
        };
    }

    /// <summary>Go's parseSignedOffset: a sign and an hour count of at most 23 ("+03"); 0 when absent.</summary>
    private static int SignedOffsetLength(string value)
    {
        if (value.Length == 0 || value[0] is not ('+' or '-'))
        {
            return 0;
        }

        var i = 1;
        ulong x = 0;
        while (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            if (x > 1_000_000)
            {
                return 0;
            }

            x = (x * 10) + (ulong)(value[i] - '0');
            i++;
        }

        return i == 1 || x > 23 ? 0 : i;
    }

    /// <summary>Go's time atoi: an optional sign and only digits.</summary>
    private static bool TryAtoi(string s, out int value)
    {
        value = 0;
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.Length == 0 || s.Length > 9 || !s.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = int.Parse(s, CultureInfo.InvariantCulture) * (negative ? -1 : 1);
        return true;
    }

    /// <summary>Go's time.Parse (times without a zone are UTC; a numeric offset gives that offset).</summary>
    public static GoTime Parse(string layout, string value)
    {
        var originalLayout = layout;
        var originalValue = value;
        var amSet = false;
        var pmSet = false;
        long year = 0;
        int month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
        var utc = false;
        int? zoneOffset = null;
        string? zoneName = null;

        while (true)
        {
            var chunk = NextChunk(layout);
            var stdText = chunk.Element;
            if (!Skip(ref value, chunk.Prefix))
            {
                throw ParseError(originalLayout, originalValue, chunk.Prefix, value);
            }

            if (chunk.Std == Std.None)
            {
                if (value.Length != 0)
                {
                    throw ParseError(originalLayout, originalValue, string.Empty, string.Empty, ": extra text: " + Quote(value));
                }

                break;
            }

            layout = chunk.Suffix;
            var hold = value;
            string? rangeError = null;
            var ok = true;
            switch (chunk.Std)
            {
                case Std.Year:
                    {
                        // Go reads the two characters with atoi, so a sign is accepted ("+2" is year 2002).
                        if (value.Length < 2 || !TryAtoi(value[..2], out var twoDigits))
                        {
                            ok = false;
                            break;
                        }

                        year = twoDigits + (twoDigits >= 69 ? 1900 : 2000);
                        value = value[2..];
                        break;
                    }
                case Std.LongYear:
                    if (value.Length < 4 || !IsDigit(value, 0) || !IsDigit(value, 1) || !IsDigit(value, 2) || !IsDigit(value, 3))
                    {
                        ok = false;
                        break;
                    }

                    year = int.Parse(value.AsSpan(0, 4), CultureInfo.InvariantCulture);
                    value = value[4..];
                    break;
                case Std.Month:
                    month = Lookup(GoTime.LongMonthNames, 3, ref value) + 1;
                    ok = month > 0;
                    break;
                case Std.LongMonth:
                    month = Lookup(GoTime.LongMonthNames, 0, ref value) + 1;
                    ok = month > 0;
                    break;
                case Std.NumMonth or Std.ZeroMonth:
                    ok = GetNum(ref value, chunk.Std == Std.ZeroMonth, out month);
                    if (ok && (month <= 0 || month > 12))
                    {
                        rangeError = "month";
                    }

                    break;
                case Std.WeekDay:
                    ok = Lookup(GoTime.LongDayNames, 3, ref value) >= 0;
                    break;
                case Std.LongWeekDay:
                    ok = Lookup(GoTime.LongDayNames, 0, ref value) >= 0;
                    break;
                case Std.Day or Std.UnderDay or Std.ZeroDay:
                    if (chunk.Std == Std.UnderDay && value.Length > 0 && value[0] == ' ')
                    {
                        value = value[1..];
                    }

                    ok = GetNum(ref value, chunk.Std == Std.ZeroDay, out day);
                    break;
                case Std.UnderYearDay or Std.ZeroYearDay:
                    for (var i = 0; i < 2 && chunk.Std == Std.UnderYearDay && value.Length > 0 && value[0] == ' '; i++)
                    {
                        value = value[1..];
                    }

                    ok = GetNum3(ref value, chunk.Std == Std.ZeroYearDay, out yday);
                    break;
                case Std.Hour:
                    ok = GetNum(ref value, false, out hour);
                    if (ok && hour is < 0 or >= 24)
                    {
                        rangeError = "hour";
                    }

                    break;
                case Std.Hour12 or Std.ZeroHour12:
                    ok = GetNum(ref value, chunk.Std == Std.ZeroHour12, out hour);
                    if (ok && hour is < 0 or > 12)
                    {
                        rangeError = "hour";
                    }

                    break;
                case Std.Minute or Std.ZeroMinute:
                    ok = GetNum(ref value, chunk.Std == Std.ZeroMinute, out min);
                    if (ok && min is < 0 or >= 60)
                    {
                        rangeError = "minute";
                    }

                    break;
                case Std.Second or Std.ZeroSecond:
                    ok = GetNum(ref value, chunk.Std == Std.ZeroSecond, out sec);
                    if (!ok)
                    {
                        break;
                    }

                    if (sec is < 0 or >= 60)
                    {
                        rangeError = "second";
                        break;
                    }

                    if (value.Length >= 2 && value[0] is '.' or ',' && IsDigit(value, 1))
                    {
                        var next = NextChunk(layout).Std;
                        if (next is Std.FracSecond0 or Std.FracSecond9)
                        {
                            break;
                        }

                        var n = 2;
                        while (n < value.Length && IsDigit(value, n))
                        {
                            n++;
                        }

                        ok = ParseNanos(value, n, out nsec);
                        value = value[n..];
                    }

                    break;
                case Std.PM:
                    if (value.Length < 2)
                    {
                        ok = false;
                        break;
                    }

                    switch (value[..2])
                    {
                        case "PM":
                            pmSet = true;
                            break;
                        case "AM":
                            amSet = true;
                            break;
                        default:
                            ok = false;
                            break;
                    }

                    value = value[2..];
                    break;
                case Std.Lpm:
                    if (value.Length < 2)
                    {
                        ok = false;
                        break;
                    }

                    switch (value[..2])
                    {
                        case "pm":
                            pmSet = true;
                            break;
                        case "am":
                            amSet = true;
                            break;
                        default:
                            ok = false;
                            break;
                    }

                    value = value[2..];
                    break;
                case Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601SecondsTZ or Std.Iso8601ShortTZ or Std.Iso8601ColonSecondsTZ
                    or Std.NumTZ or Std.NumColonTZ or Std.NumSecondsTz or Std.NumShortTZ or Std.NumColonSecondsTZ:
                    {
                        // Go accepts a literal Z only for Z0700, Z07 and Z07:00 (not the forms with seconds).
                        var acceptsZ = chunk.Std is Std.Iso8601TZ or Std.Iso8601ColonTZ or Std.Iso8601ShortTZ;
                        if (acceptsZ && value.Length >= 1 && value[0] == 'Z')
                        {
                            value = value[1..];
                            utc = true;
                            break;
                        }

                        string sign, hh, mm, ss;
                        if (chunk.Std is Std.Iso8601ColonTZ or Std.NumColonTZ)
                        {
                            if (value.Length < 6 || value[3] != ':')
                            {
                                ok = false;
                                break;
                            }

                            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[4..6], "00", value[6..]);
                        }
                        else if (chunk.Std is Std.NumShortTZ or Std.Iso8601ShortTZ)
                        {
                            if (value.Length < 3)
                            {
                                ok = false;
                                break;
                            }

                            (sign, hh, mm, ss, value) = (value[..1], value[1..3], "00", "00", value[3..]);
                        }
                        else if (chunk.Std is Std.Iso8601ColonSecondsTZ or Std.NumColonSecondsTZ)
                        {
                            if (value.Length < 9 || value[3] != ':' || value[6] != ':')
                            {
                                ok = false;
                                break;
                            }

                            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[4..6], value[7..9], value[9..]);
                        }
                        else if (chunk.Std is Std.Iso8601SecondsTZ or Std.NumSecondsTz)
                        {
                            if (value.Length < 7)
                            {
                                ok = false;
                                break;
                            }

                            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[3..5], value[5..7], value[7..]);
                        }
                        else
                        {
                            if (value.Length < 5)
                            {
                                ok = false;
                                break;
                            }

                            (sign, hh, mm, ss, value) = (value[..1], value[1..3], value[3..5], "00", value[5..]);
                        }

                        if (!GetNum(ref hh, true, out var hr) || !GetNum(ref mm, true, out var mi) || !GetNum(ref ss, true, out var se))
                        {
                            ok = false;
                            break;
                        }

                        if (hr > 24)
                        {
                            rangeError = "time zone offset hour";
                        }
                        else if (mi > 60)
                        {
                            rangeError = "time zone offset minute";
                        }
                        else if (se > 60)
                        {
                            rangeError = "time zone offset second";
                        }

                        var off = (((hr * 60) + mi) * 60) + se;
                        switch (sign[0])
                        {
                            case '+':
                                zoneOffset = off;
                                break;
                            case '-':
                                zoneOffset = -off;
                                break;
                            default:
                                ok = false;
                                break;
                        }

                        break;
                    }

                case Std.TZ:
                    if (value.StartsWith("UTC", StringComparison.Ordinal))
                    {
                        utc = true;
                        value = value[3..];
                        break;
                    }

                    {
                        var n = TimeZoneLength(value);
                        if (n == 0)
                        {
                            ok = false;
                            break;
                        }

                        zoneName = value[..n];
                        value = value[n..];
                        break;
                    }

                case Std.FracSecond0:
                    {
                        var ndigit = 1 + chunk.Digits;
                        if (value.Length < ndigit)
                        {
                            ok = false;
                            break;
                        }

                        ok = ParseNanos(value, ndigit, out nsec);
                        value = value[ndigit..];
                        break;
                    }

                case Std.FracSecond9:
                    {
                        if (value.Length < 2 || value[0] is not ('.' or ',') || !IsDigit(value, 1))
                        {
                            break;
                        }

                        var i = 0;
                        while (i + 1 < value.Length && IsDigit(value, i + 1))
                        {
                            i++;
                        }

                        ok = ParseNanos(value, 1 + i, out nsec);
                        value = value[(1 + i)..];
                        break;
                    }
            }

            if (rangeError is not null)
            {
                throw ParseError(originalLayout, originalValue, stdText, hold, ": " + rangeError + " out of range");
            }

            if (!ok)
            {
                throw ParseError(originalLayout, originalValue, stdText, hold);
            }
        }

        if (pmSet && hour < 12)
        {
            hour += 12;
        }
        else if (amSet && hour == 12)
        {
            hour = 0;
        }

        if (yday >= 0)
        {
            var leap = Civil.IsLeap(year);
            if (yday < 1 || yday > (leap ? 366 : 365))
            {
                throw ParseError(originalLayout, originalValue, string.Empty, string.Empty, ": day-of-year out of range");
            }

            var (_, m, d) = Civil.FromDays(Civil.DaysFromCivil(year, 1, 1) + yday - 1);
            if ((month >= 0 && month != m) || (day >= 0 && day != d))
            {
                throw ParseError(originalLayout, originalValue, string.Empty, string.Empty, ": day-of-year does not match " + (month >= 0 && month != m ? "month" : "day"));
            }

            month = m;
            day = d;
        }
        else
        {
            if (month < 0)
            {
                month = 1;
            }

            if (day < 0)
            {
                day = 1;
            }
        }

        if (day < 1 || day > Civil.DaysIn(month, year))
        {
            throw ParseError(originalLayout, originalValue, string.Empty, string.Empty, ": day out of range");
        }

        var t = GoTime.Build(year, month, day, hour, min, sec, nsec, GoZone.Utc)!.Value;
        if (utc)
        {
            return t;
        }

        if (zoneOffset is { } offset)
        {
            return new GoTime(t.UnixSeconds - offset, t.Nanos, new FixedGoZone(offset, string.Empty));
        }

        if (zoneName is not null)
        {
            var offsetSeconds = 0;
            if (zoneName.Length > 3 && zoneName.StartsWith("GMT", StringComparison.Ordinal)
                && int.TryParse(zoneName.AsSpan(3), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var hours))
            {
                offsetSeconds = hours * 3600;
            }

            // Go labels the time with a fabricated zone but keeps the wall clock read as UTC (the local zone is UTC here).
            return new GoTime(t.UnixSeconds, t.Nanos, new FixedGoZone(offsetSeconds, zoneName));
        }

        return t;
    }

    /// <summary>Go's time.ParseDuration, in nanoseconds.</summary>
    public static long ParseDuration(string text)
    {
        var s = text;
        var neg = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return 0;
        }

        if (s.Length == 0)
        {
            throw new BuiltinErrorException("time: invalid duration " + Quote(text));
        }

        ulong d = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                throw new BuiltinErrorException("time: invalid duration " + Quote(text));
            }

            var i = 0;
            ulong v = 0;
            var overflow = false;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (v > (1UL << 63) / 10)
                {
                    overflow = true;
                }

                v = (v * 10) + (ulong)(s[i] - '0');
                if (v > 1UL << 63)
                {
                    overflow = true;
                }

                i++;
            }

            if (overflow)
            {
                throw new BuiltinErrorException("time: invalid duration " + Quote(text));
            }

            var pre = i != 0;
            ulong f = 0;
            double scale = 1;
            var post = false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var start = i;
                var fracOverflow = false;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (!fracOverflow)
                    {
                        if (f > (ulong.MaxValue - 9) / 10)
                        {
                            fracOverflow = true;
                        }
                        else
                        {
                            f = (f * 10) + (ulong)(s[i] - '0');
                            scale *= 10;
                        }
                    }

                    i++;
                }

                post = i != start;
            }

            if (!pre && !post)
            {
                throw new BuiltinErrorException("time: invalid duration " + Quote(text));
            }

            s = s[i..];
            var u = 0;
            while (u < s.Length && s[u] != '.' && !char.IsAsciiDigit(s[u]))
            {
                u++;
            }

            if (u == 0)
            {
                throw new BuiltinErrorException("time: missing unit in duration " + Quote(text));
            }

            var unitText = s[..u];
            s = s[u..];
            ulong unit = unitText switch
            {
                "ns" => 1,
                "us" or "\u00b5s" or "\u03bcs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => throw new BuiltinErrorException("time: unknown unit " + Quote(unitText) + " in duration " + Quote(text)),
            };
            if (v > (1UL << 63) / unit)
            {
                throw new BuiltinErrorException("time: invalid duration " + Quote(text));
            }

            v *= unit;
            if (f > 0)
            {
                v += (ulong)((double)f * (unit / scale));
                if (v > 1UL << 63)
                {
                    throw new BuiltinErrorException("time: invalid duration " + Quote(text));
                }
            }

            d += v;
            if (d > 1UL << 63)
            {
                throw new BuiltinErrorException("time: invalid duration " + Quote(text));
            }
        }

        if (neg)
        {
            return d == 1UL << 63 ? long.MinValue : -(long)d;
        }

        if (d > long.MaxValue)
        {
            throw new BuiltinErrorException("time: invalid duration " + Quote(text));
        }

        return (long)d;
    }
}
