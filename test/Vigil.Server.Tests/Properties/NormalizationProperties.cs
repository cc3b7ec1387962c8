using CsCheck;
using Vigil.Server.Gateway;

namespace Vigil.Server.Tests.Properties;

/// <summary>
/// Properties of the gateway's normalization on generated hostile input: no exception and no hang whatever the input,
/// and what is accepted is canonical (normalizing it again changes nothing) and free of everything the gateway refuses.
/// </summary>
public sealed class NormalizationProperties
{
    /// <summary>Pieces an attacker combines in a path: dots, escapes of separators, overlong UTF-8, look-alikes, case.</summary>
    private static readonly string[] PathPieces =
    [
        "admin", "Admin", "a", "x.txt", ".", "..", "...", "%2e", "%2E", "%2e%2e", "%2f", "%2F", "%5c", "\\", ";", ";x=1", "%3b", "%00", "%0a", "%20", " ",
        "%25", "%252e", "%c0%ae", "%c0%af", "%e0%80%ae", "%EF%BD%81", "%C4%B1", "%c3%a9", "%ff", "%", "%4", "%zz", "~", "-", "_", "?", "#", "&", "=", "//",
        "%F0%9F%98%80", "\u00e9", "\t", "\u0000", "%61", "%41", ".well-known", "%E2%80%A4", "+", "@", ":",
    ];

    private static readonly string[] HostPieces =
    [
        "admin", "ADMIN", "example", "test", "", "xn--bcher-kva", "-", "-a", "a-", "_", "a_b", "127", "0", "1", "255", "256", "0x7f", "077", "1.2.3.4",
        "[::1]", "[1.2.3.4]", "[fe80::1%25eth0]", "[", "]", ":80", ":", ":0", ":65536", ":+1", "..", ".", "@", "%2e", " ", "\u00e4", "a" + new string('b', 62),
    ];

    private static readonly Gen<string> Path =
        Gen.OneOf(PathPieces).Array[0, 8].Select(parts => "/" + string.Join("/", parts))
            .Select(Gen.OneOf("", "?q=1", "?a=%00", "?a#b", "?x=%2e%2e/"), (p, q) => p + q);

    private static readonly Gen<string> Host =
        Gen.OneOf(HostPieces).Array[1, 6].Select(Gen.OneOf(".", "", ".."), Gen.OneOf("", ":8080", ".", ".:443", "..:1"),
            (labels, separator, end) => string.Join(separator, labels) + end);

    private static readonly Gen<string> Noise = Gen.String[Gen.Char[(char)0, (char)0x3000], 0, 64];

    [Fact]
    public void Normalize_AnyTarget_AcceptedPathsAreCanonicalAndUnambiguous()
    {
        PropertyRuns.Sample(Gen.OneOf<string>(Path, Noise), raw =>
        {
            var result = RequestNormalizer.Normalize(raw);
            if (!result.IsValid)
            {
                return;
            }

            var path = result.Path;
            Assert.StartsWith("/", path, StringComparison.Ordinal);
            Assert.DoesNotContain("//", path, StringComparison.Ordinal);
            Assert.DoesNotContain("\\", path, StringComparison.Ordinal);
            Assert.DoesNotContain(";", path, StringComparison.Ordinal);
            Assert.All(path, c => Assert.InRange(c, '!', '~'));
            Assert.DoesNotContain(path.Split('/'), s => s is "." or "..");
            Assert.DoesNotContain("%2E", path, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("%2F", path, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("%25", path, StringComparison.Ordinal);

            var again = RequestNormalizer.Normalize(path + result.Query);
            Assert.Equal((path, result.Query, RejectReason.None, result.Unusual), (again.Path, again.Query, again.Reject, again.Unusual));
        }, seed: 17, count: 100_000, longCount: 5_000_000);
    }

    [Fact]
    public void NormalizeHost_AnyValue_AcceptedHostsAreCanonical()
    {
        PropertyRuns.Sample(Gen.OneOf<string>(Host, Noise), value =>
        {
            if (HostNormalizer.Normalize(value) is not { } host)
            {
                return;
            }

            Assert.Equal(host, HostNormalizer.Normalize(host));
            Assert.Equal(host, host.ToLowerInvariant());
            Assert.False(host.EndsWith('.'), host);
            Assert.DoesNotContain("..", host, StringComparison.Ordinal);
            Assert.True(host.Length <= HostNormalizer.MaxNameLength + 2, host);
            Assert.All(host, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '[' or ']' or ':', host));
        }, seed: 29, count: 100_000, longCount: 5_000_000);
    }

    [Fact]
    public void HeaderChecks_AnyName_ReservedAndTokenChecksNeverThrow()
    {
        PropertyRuns.Sample(
            Gen.OneOf<string>(Gen.String[Gen.Char[(char)0, (char)0x200], 0, 200], Gen.OneOf("X-Forwarded-For", "x_vigil_user", "X-AUTH-token", "Forwarded", "")),
            name =>
            {
                _ = IdentityHeaders.IsReserved(name);
                _ = RequestHeadChecks.IsToken(name);
                _ = RouteHeaderRules.PassError(name);
            }, seed: 31, count: 100_000, longCount: 2_000_000);
    }
}
