using Vigil.Policy.Testing.Conformance;

namespace Vigil.Policy.Tests.Builtins.Security;

/// <summary>The OPA conformance folders of the time, net, crypto, x509 and JWT builtins, run through the real engine.</summary>
public sealed class SecurityConformanceTests
{
    public static readonly string[] Folders =
    [
        "time", "netcidrcontains", "netcidrcontainsmatches", "netcidrexpand", "netcidrintersects", "netcidrisvalid", "netcidrmerge", "netlookupipaddr",
        "cryptohmacequal", "cryptohmacmd5", "cryptohmacsha1", "cryptohmacsha256", "cryptohmacsha512", "cryptomd5", "cryptosha1", "cryptosha256",
        "cryptoparsersaprivatekeys", "cryptox509parseandverifycertificates", "cryptox509parsecertificaterequest", "cryptox509parsecertificates",
        "cryptox509parsekeypair", "cryptox509parsersaprivatekey",
        "jwtbuiltins", "jwtdecodeverify", "jwtencodesign", "jwtencodesignheadererrors", "jwtencodesignpayloaderrors", "jwtencodesignraw",
        "jwtverifyeddsa", "jwtverifyhs256", "jwtverifyhs384", "jwtverifyhs512", "jwtverifyrsa", "providers-aws",
    ];

    /// <summary>Cases known not to pass yet, by note (each with the reason).</summary>
    private static readonly Dictionary<string, string> KnownFailures = new(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string> FolderData()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Folders)
        {
            data.Add(folder);
        }

        return data;
    }

    [SharedSuiteTheory]
    [MemberData(nameof(FolderData))]
    public void Folder_PassesOpaConformance(string folder)
    {
        var cases = ConformanceSuite.Load(Path.Combine(ConformanceCallTests.ConformanceRoot(), folder));
        Assert.NotEmpty(cases);
        var outcomes = ConformanceRunner.RunAll(cases, TimeSpan.FromSeconds(20));
        var failures = outcomes.Where(o => !o.Passed && !KnownFailures.ContainsKey(o.Note)).Select(o => $"{o.Note}: {o.Failure}").ToList();
        var fixedNow = outcomes.Where(o => o.Passed && KnownFailures.ContainsKey(o.Note)).Select(o => o.Note).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count}/{outcomes.Count} failed:\n" + string.Join("\n", failures));
        Assert.True(fixedNow.Count == 0, "now passing, remove from KnownFailures: " + string.Join(", ", fixedNow));
    }
}
