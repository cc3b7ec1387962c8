using System.Numerics;
using System.Text.RegularExpressions;
using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>semver.is_valid and semver.compare (Semantic Versioning 2.0.0, no "v" prefix).</summary>
internal static partial class Semver
{
    public static void Register(BuiltinTable table)
    {
        table.Add("semver.is_valid", [T.Any], T.Boolean, static (ctx, a) => Value.From(a[0] is StringValue s && TryParse(s.Value, out _)));
        table.Add("semver.compare", [T.String, T.String], T.Number, static (_, a) =>
        {
            var x = Args.String(a, 0);
            var y = Args.String(a, 1);
            if (!TryParse(x, out var vx))
            {
                throw new BuiltinErrorException($"operand 1: string {Strings.GoQuote(x)} is not a valid SemVer");
            }

            if (!TryParse(y, out var vy))
            {
                throw new BuiltinErrorException($"operand 2: string {Strings.GoQuote(y)} is not a valid SemVer");
            }

            return NumberValue.Create(Compare(vx, vy));
        });
    }

    private sealed record Version(BigInteger Major, BigInteger Minor, BigInteger Patch, string[] PreRelease);

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();

    private static bool TryParse(string text, out Version version)
    {
        version = null!;
        if (text.Length > 1024 || text.EndsWith('\n'))
        {
            return false;
        }

        Match m;
        try
        {
            m = Pattern().Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }

        if (!m.Success)
        {
            return false;
        }

        version = new Version(
            BigInteger.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            BigInteger.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            BigInteger.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups[4].Success ? m.Groups[4].Value.Split('.') : []);
        return true;
    }

    private static int Compare(Version a, Version b)
    {
        var c = a.Major.CompareTo(b.Major);
        if (c == 0)
        {
            c = a.Minor.CompareTo(b.Minor);
        }

        if (c == 0)
        {
            c = a.Patch.CompareTo(b.Patch);
        }

        if (c != 0)
        {
            return Math.Sign(c);
        }

        // A version without pre-release has higher precedence.
        if (a.PreRelease.Length == 0 || b.PreRelease.Length == 0)
        {
            return a.PreRelease.Length == b.PreRelease.Length ? 0 : a.PreRelease.Length == 0 ? 1 : -1;
        }

        for (var i = 0; i < Math.Min(a.PreRelease.Length, b.PreRelease.Length); i++)
        {
            var x = a.PreRelease[i];
            var y = b.PreRelease[i];
            var xNum = BigInteger.TryParse(x, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var xn);
            var yNum = BigInteger.TryParse(y, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var yn);
            int d;
            if (xNum && yNum)
            {
                d = xn.CompareTo(yn);
            }
            else if (xNum)
            {
                d = -1;
            }
            else if (yNum)
            {
                d = 1;
            }
            else
            {
                d = string.CompareOrdinal(x, y);
            }

            if (d != 0)
            {
                return Math.Sign(d);
            }
        }

        return Math.Sign(a.PreRelease.Length.CompareTo(b.PreRelease.Length));
    }
}
