using System.Globalization;
using System.Security.Cryptography;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>uuid.rfc4122 (random v4, stable per key within one evaluation) and uuid.parse.</summary>
internal static class Uuid
{
    // 100-nanosecond intervals between 1582-10-15 and the Unix epoch.
    private const long GregorianToUnix100Ns = 122192928000000000;

    public static void Register(BuiltinTable table)
    {
        table.Add("uuid.rfc4122", [T.String], T.String, static (c, a) =>
        {
            var key = "uuid.rfc4122\0" + Args.String(a, 0);
            if (c.Cache.TryGetValue(key, out var cached))
            {
                return (Value)cached;
            }

            var bytes = RandomNumberGenerator.GetBytes(16);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            var hex = Convert.ToHexStringLower(bytes);
            Value result = Value.From($"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}");
            c.Cache[key] = result;
            return result;
        }, nondeterministic: true);
        table.Add("uuid.parse", [T.String], T.Object, static (_, a) => Parse(Args.String(a, 0)));
    }

    private static Value? Parse(string text)
    {
        string hex;
        switch (text.Length)
        {
            case 36:
                hex = Dashed(text);
                break;
            case 38 when text[0] == '{' && text[37] == '}':
                hex = Dashed(text[1..37]);
                break;
            case 45 when text.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase):
                hex = Dashed(text[9..]);
                break;
            case 32:
                hex = text;
                break;
            default:
                return null;
        }

        if (hex.Length != 32 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var b = Convert.FromHexString(hex);
        var result = new Dictionary<string, Value>(StringComparer.Ordinal);
        var version = b[6] >> 4;
        result["version"] = NumberValue.Create(version);
        result["variant"] = Value.From((b[8] & 0xC0) == 0x80 ? "RFC4122" : (b[8] & 0xE0) == 0xC0 ? "Microsoft" : (b[8] & 0xE0) == 0xE0 ? "Future" : "Reserved");
        if (version is 1 or 2)
        {
            long time = ((long)b[0] << 24) | ((long)b[1] << 16) | ((long)b[2] << 8) | b[3];
            time |= (((long)b[4] << 8) | b[5]) << 32;
            time |= ((((long)b[6] << 8) | b[7]) & 0xFFF) << 48;
            result["time"] = NumberValue.Create((time - GregorianToUnix100Ns) * 100);
            result["clocksequence"] = NumberValue.Create(((b[8] << 8) | b[9]) & 0x3FFF);
            result["nodeid"] = Value.From(string.Join('-', b[10..16].Select(static x => x.ToString("x2", CultureInfo.InvariantCulture))));
            result["macvariables"] = Value.From(((b[10] & 2) == 0 ? "global" : "local") + ":" + ((b[10] & 1) == 0 ? "unicast" : "multicast"));
            if (version == 2)
            {
                result["id"] = NumberValue.Create(((long)b[0] << 24) | ((long)b[1] << 16) | ((long)b[2] << 8) | b[3]);
                result["domain"] = Value.From(b[9] switch { 0 => "Person", 1 => "Group", 2 => "Org", _ => "Domain" + b[9].ToString(CultureInfo.InvariantCulture) });
            }
        }

        return ObjectValue.Create(result);
    }

    private static string Dashed(string s) =>
        s.Length == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
            ? string.Concat(s.AsSpan(0, 8), s.AsSpan(9, 4), s.AsSpan(14, 4), s.AsSpan(19, 4)) + s[24..]
            : string.Empty;
}
