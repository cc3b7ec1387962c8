using System.Buffers.Binary;
using System.Text;

namespace Vigil.Policy.Builtins.Security;

/// <summary>
/// A zone read from the system's TZif file the way Go's time.LoadLocation reads it: every historical offset
/// (to the second) and abbreviation, and the POSIX TZ rule for instants after the last transition.
/// .NET's TimeZoneInfo rounds offsets to minutes and only knows today's abbreviations, so time.format and
/// time.date would differ from OPA for historical instants.
/// </summary>
internal sealed class TzifGoZone : GoZone
{
    private const string ZoneInfoDirectory = "/usr/share/zoneinfo";
    private const int MaxFileSize = 1 << 20;

    private readonly long[] _transitions;
    private readonly byte[] _transitionTypes;
    private readonly ZoneType[] _types;
    private readonly PosixTz? _extend;
    private readonly int _firstZone;

    private TzifGoZone(long[] transitions, byte[] transitionTypes, ZoneType[] types, PosixTz? extend)
    {
        _transitions = transitions;
        _transitionTypes = transitionTypes;
        _types = types;
        _extend = extend;
        _firstZone = LookupFirstZone();
    }

    internal readonly record struct ZoneType(int Offset, bool IsDst, string Name);

    /// <summary>Loads an IANA zone by name from the zoneinfo directory; null when absent or unreadable.</summary>
    public static TzifGoZone? Load(string name)
    {
        if (name.Length is 0 or > 255 || name.StartsWith('/') || name.Contains("..", StringComparison.Ordinal)
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+'))
        {
            return null;
        }

        var path = Path.Combine(ZoneInfoDirectory, name);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileSize)
            {
                return null;
            }

            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Parses TZif data (versions 1 to 4); throws FormatException when malformed.</summary>
    public static TzifGoZone Parse(byte[] data)
    {
        var span = data.AsSpan();
        if (span.Length < 44 || !span.StartsWith("TZif"u8))
        {
            throw new FormatException("not a TZif file");
        }

        var version = span[4];
        var (v1Length, _) = BlockLength(span, 4);
        if (version == 0)
        {
            return ParseBlock(span, 4, extend: null);
        }

        // Version 2+: skip the 32-bit block, read the 64-bit one and the footer.
        var second = span[(44 + v1Length)..];
        if (second.Length < 44 || !second.StartsWith("TZif"u8))
        {
            throw new FormatException("missing TZif v2 header");
        }

        var (v2Length, _) = BlockLength(second, 8);
        var footer = second[(44 + v2Length)..];
        string? extend = null;
        if (footer.Length >= 2 && footer[0] == '\n')
        {
            var end = footer[1..].IndexOf((byte)'\n');
            if (end >= 0)
            {
                extend = Encoding.ASCII.GetString(footer.Slice(1, end));
            }
        }

        return ParseBlock(second, 8, extend);
    }

    private static (int Length, int[] Counts) BlockLength(ReadOnlySpan<byte> header, int timeSize)
    {
        var counts = new int[6];
        for (var i = 0; i < 6; i++)
        {
            var n = BinaryPrimitives.ReadInt32BigEndian(header.Slice(20 + (4 * i), 4));
            if (n < 0 || n > 100_000)
            {
                throw new FormatException("bad TZif count");
            }

            counts[i] = n;
        }

        // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        var length = (counts[3] * timeSize) + counts[3] + (counts[4] * 6) + counts[5] + (counts[2] * (timeSize + 4)) + counts[1] + counts[0];
        return (length, counts);
    }

    private static TzifGoZone ParseBlock(ReadOnlySpan<byte> block, int timeSize, string? extend)
    {
        var (length, counts) = BlockLength(block, timeSize);
        if (block.Length < 44 + length)
        {
            throw new FormatException("truncated TZif data");
        }

        var timeCount = counts[3];
        var typeCount = counts[4];
        var charCount = counts[5];
        if (typeCount == 0)
        {
            throw new FormatException("TZif without types");
        }

        var p = block[44..];
        var transitions = new long[timeCount];
        for (var i = 0; i < timeCount; i++)
        {
            transitions[i] = timeSize == 8 ? BinaryPrimitives.ReadInt64BigEndian(p.Slice(i * 8, 8)) : BinaryPrimitives.ReadInt32BigEndian(p.Slice(i * 4, 4));
        }

        p = p[(timeCount * timeSize)..];
        var transitionTypes = p[..timeCount].ToArray();
        if (transitionTypes.Any(t => t >= typeCount))
        {
            throw new FormatException("bad TZif transition type");
        }

        p = p[timeCount..];
        var rawTypes = p[..(typeCount * 6)];
        var chars = p.Slice(typeCount * 6, charCount);
        var types = new ZoneType[typeCount];
        for (var i = 0; i < typeCount; i++)
        {
            var entry = rawTypes.Slice(i * 6, 6);
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[..4]);
            var abbreviationIndex = entry[5];
            var name = string.Empty;
            if (abbreviationIndex < chars.Length)
            {
                var rest = chars[abbreviationIndex..];
                var nul = rest.IndexOf((byte)0);
                name = Encoding.ASCII.GetString(nul < 0 ? rest : rest[..nul]);
            }

            types[i] = new ZoneType(offset, entry[4] != 0, name);
        }

        var posix = extend is { Length: > 0 } ? PosixTz.Parse(extend) : null;
        return new TzifGoZone(transitions, transitionTypes, types, posix);
    }

    /// <summary>Go's lookupFirstZone: the zone for instants before the first transition.</summary>
    private int LookupFirstZone()
    {
        if (!_transitionTypes.Contains((byte)0))
        {
            return 0;
        }

        if (_transitions.Length > 0 && _types[_transitionTypes[0]].IsDst)
        {
            for (var zi = _transitionTypes[0] - 1; zi >= 0; zi--)
            {
                if (!_types[zi].IsDst)
                {
                    return zi;
                }
            }
        }

        for (var zi = 0; zi < _types.Length; zi++)
        {
            if (!_types[zi].IsDst)
            {
                return zi;
            }
        }

        return 0;
    }

    public override int OffsetAt(long unixSeconds, out string abbreviation)
    {
        if (_transitions.Length == 0 || unixSeconds < _transitions[0])
        {
            var first = _types[_firstZone];
            if (_transitions.Length == 0 && _extend is not null && _extend.TryLookup(unixSeconds, out var offset0, out var name0))
            {
                abbreviation = name0;
                return offset0;
            }

            abbreviation = first.Name;
            return first.Offset;
        }

        var lo = 0;
        var hi = _transitions.Length;
        while (hi - lo > 1)
        {
            var m = (int)((uint)(lo + hi) >> 1);
            if (unixSeconds < _transitions[m])
            {
                hi = m;
            }
            else
            {
                lo = m;
            }
        }

        if (lo == _transitions.Length - 1 && _extend is not null && _extend.TryLookup(unixSeconds, out var offset, out var name))
        {
            abbreviation = name;
            return offset;
        }

        var zone = _types[_transitionTypes[lo]];
        abbreviation = zone.Name;
        return zone.Offset;
    }
}

/// <summary>A POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0"), evaluated as Go's tzset does.</summary>
internal sealed class PosixTz
{
    private enum RuleKind
    {
        Julian,
        DayOfYear,
        MonthWeekDay,
    }

    private readonly record struct Rule(RuleKind Kind, int Day, int Week, int Month, int Time);

    private readonly string _stdName;
    private readonly int _stdOffset;
    private readonly string? _dstName;
    private readonly int _dstOffset;
    private readonly Rule _start;
    private readonly Rule _end;

    private PosixTz(string stdName, int stdOffset, string? dstName, int dstOffset, Rule start, Rule end)
    {
        _stdName = stdName;
        _stdOffset = stdOffset;
        _dstName = dstName;
        _dstOffset = dstOffset;
        _start = start;
        _end = end;
    }

    public static PosixTz? Parse(string s)
    {
        if (!TryName(ref s, out var stdName) || !TryOffset(ref s, out var stdOffset))
        {
            return null;
        }

        stdOffset = -stdOffset;
        if (s.Length == 0 || s[0] == ',')
        {
            return new PosixTz(stdName, stdOffset, null, 0, default, default);
        }

        if (!TryName(ref s, out var dstName))
        {
            return null;
        }

        int dstOffset;
        if (s.Length == 0 || s[0] == ',')
        {
            dstOffset = stdOffset + 3600;
        }
        else
        {
            if (!TryOffset(ref s, out dstOffset))
            {
                return null;
            }

            dstOffset = -dstOffset;
        }

        if (s.Length == 0)
        {
            s = ",M3.2.0,M11.1.0";
        }

        if (s[0] != ',' && s[0] != ';')
        {
            return null;
        }

        s = s[1..];
        if (!TryRule(ref s, out var start) || s.Length == 0 || s[0] != ',')
        {
            return null;
        }

        s = s[1..];
        if (!TryRule(ref s, out var end) || s.Length > 0)
        {
            return null;
        }

        return new PosixTz(stdName, stdOffset, dstName, dstOffset, start, end);
    }

    private static bool TryName(ref string s, out string name)
    {
        name = string.Empty;
        if (s.Length < 3)
        {
            return false;
        }

        if (s[0] == '<')
        {
            var close = s.IndexOf('>', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            name = s[1..close];
            s = s[(close + 1)..];
            return true;
        }

        var i = 0;
        while (i < s.Length && !(char.IsAsciiDigit(s[i]) || s[i] is ',' or '-' or '+'))
        {
            i++;
        }

        if (i < 3)
        {
            return false;
        }

        name = s[..i];
        s = s[i..];
        return true;
    }

    private static bool TryNumber(ref string s, out int n)
    {
        n = 0;
        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            n = (n * 10) + (s[i] - '0');
            if (n > 1_000_000)
            {
                return false;
            }

            i++;
        }

        if (i == 0)
        {
            return false;
        }

        s = s[i..];
        return true;
    }

    private static bool TryOffset(ref string s, out int offset)
    {
        offset = 0;
        if (s.Length == 0)
        {
            return false;
        }

        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (!TryNumber(ref s, out var hours) || hours > 24 * 7)
        {
            return false;
        }

        offset = hours * 3600;
        if (s.Length > 0 && s[0] == ':')
        {
            s = s[1..];
            if (!TryNumber(ref s, out var minutes) || minutes >= 60)
            {
                return false;
            }

            offset += minutes * 60;
            if (s.Length > 0 && s[0] == ':')
            {
                s = s[1..];
                if (!TryNumber(ref s, out var seconds) || seconds >= 60)
                {
                    return false;
                }

                offset += seconds;
            }
        }

        if (negative)
        {
            offset = -offset;
        }

        return true;
    }

    private static bool TryRule(ref string s, out Rule rule)
    {
        rule = default;
        if (s.Length == 0)
        {
            return false;
        }

        RuleKind kind;
        int day, week = 0, month = 0;
        if (s[0] == 'J')
        {
            s = s[1..];
            if (!TryNumber(ref s, out day) || day is < 1 or > 365)
            {
                return false;
            }

            kind = RuleKind.Julian;
        }
        else if (s[0] == 'M')
        {
            s = s[1..];
            if (!TryNumber(ref s, out month) || month is < 1 or > 12 || s.Length == 0 || s[0] != '.')
            {
                return false;
            }

            s = s[1..];
            if (!TryNumber(ref s, out week) || week is < 1 or > 5 || s.Length == 0 || s[0] != '.')
            {
                return false;
            }

            s = s[1..];
            if (!TryNumber(ref s, out day) || day is < 0 or > 6)
            {
                return false;
            }

            kind = RuleKind.MonthWeekDay;
        }
        else
        {
            if (!TryNumber(ref s, out day) || day > 365)
            {
                return false;
            }

            kind = RuleKind.DayOfYear;
        }

        var time = 2 * 3600;
        if (s.Length > 0 && s[0] == '/')
        {
            s = s[1..];
            if (!TryOffset(ref s, out time))
            {
                return false;
            }
        }

        rule = new Rule(kind, day, week, month, time);
        return true;
    }

    private static readonly int[] DaysBefore = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    /// <summary>Go's tzruleTime: seconds from the start of the year (UTC) at which the rule fires.</summary>
    private static long RuleTime(long year, Rule r, int offset)
    {
        long s;
        switch (r.Kind)
        {
            case RuleKind.Julian:
                s = (r.Day - 1) * 86_400L;
                if (Civil.IsLeap(year) && r.Day >= 60)
                {
                    s += 86_400;
                }

                break;
            case RuleKind.DayOfYear:
                s = r.Day * 86_400L;
                break;
            default:
                {
                    // Weekday of the first day of the month, then the w-th such weekday (5 = last).
                    var firstOfMonth = Civil.DaysFromCivil(year, r.Month, 1);
                    var dow = (int)Civil.FloorMod(firstOfMonth + 4, 7);
                    var d = r.Day - dow;
                    if (d < 0)
                    {
                        d += 7;
                    }

                    for (var i = 1; i < r.Week; i++)
                    {
                        if (d + 7 >= Civil.DaysIn(r.Month, year))
                        {
                            break;
                        }

                        d += 7;
                    }

                    d += DaysBefore[r.Month - 1];
                    if (Civil.IsLeap(year) && r.Month > 2)
                    {
                        d++;
                    }

                    s = d * 86_400L;
                    break;
                }
        }

        return s + r.Time - offset;
    }

    /// <summary>Go's tzset for one instant.</summary>
    public bool TryLookup(long unixSeconds, out int offset, out string name)
    {
        if (_dstName is null)
        {
            offset = _stdOffset;
            name = _stdName;
            return true;
        }

        var days = Civil.FloorDiv(unixSeconds, 86_400);
        var (year, _, _) = Civil.FromDays(days);
        var yearStart = Civil.DaysFromCivil(year, 1, 1) * 86_400;
        var ysec = unixSeconds - yearStart;

        var stdName = _stdName;
        var dstName = _dstName;
        var stdOffset = _stdOffset;
        var dstOffset = _dstOffset;
        var startSec = RuleTime(year, _start, stdOffset);
        var endSec = RuleTime(year, _end, dstOffset);
        if (endSec < startSec)
        {
            (startSec, endSec) = (endSec, startSec);
            (stdName, dstName) = (dstName, stdName);
            (stdOffset, dstOffset) = (dstOffset, stdOffset);
        }

        if (ysec < startSec || ysec >= endSec)
        {
            offset = stdOffset;
            name = stdName;
        }
        else
        {
            offset = dstOffset;
            name = dstName;
        }

        return true;
    }
}
