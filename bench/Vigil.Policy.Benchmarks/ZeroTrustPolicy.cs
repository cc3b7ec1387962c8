using Vigil.Policy;
using Vigil.Policy.Loading;
using Vigil.Policy.Values;

namespace Vigil.Policy.Benchmarks;

/// <summary>The example zero-trust policy and the inputs the benchmarks use.</summary>
internal static class ZeroTrustPolicy
{
    public const string AllowInputJson = """
        {"type":"user","user":{"id":"alice","role":"engineer","mfa_verified":true,"mfa_age_hours":1},
         "device":{"managed":true,"compliance_score":92},"resource":{"name":"wiki","classification":"internal"}}
        """;

    public const string DenyInputJson = """
        {"type":"user","user":{"id":"mallory","role":"engineer","mfa_verified":true,"mfa_age_hours":9},
         "device":{"managed":true,"compliance_score":92},"resource":{"name":"wiki","classification":"internal"}}
        """;

    public const string ServiceInputTemplate = """
        {"type":"service","tls":{"verified":true},"service":{"identity":"spiffe://vigil.local/ns/svc-IDX/sa/caller"},
         "resource":{"name":"svc-IDX"}}
        """;

    public static string PolicyDirectory()
    {
        // Walk up from the benchmark binary to the repository root.
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Vigil.slnx) not found"), "examples", "policies", "zero-trust");
    }

    /// <summary>Compiles the policy with <paramref name="services"/> entries in data.allowed_services.</summary>
    public static CompiledPolicy Compile(int services)
    {
        var directory = PolicyDirectory();
        var engine = new PolicyEngine();
        engine.AddModule("authz.rego", File.ReadAllText(Path.Combine(directory, "authz.rego")));
        engine.AddData(ServiceData(services));
        return engine.Compile();
    }

    public static Value ServiceData(int services)
    {
        var allowed = new Dictionary<Value, Value>(services);
        for (var i = 0; i < services; i++)
        {
            allowed[Value.From($"svc-{i}")] = ArrayValue.Create(Value.From($"spiffe://vigil.local/ns/svc-{i}/sa/caller"));
        }

        return ObjectValue.Create(
        [
            new KeyValuePair<Value, Value>(Value.From("restricted_access_roles"), ArrayValue.Create(Value.From("admin"), Value.From("sre"))),
            new KeyValuePair<Value, Value>(Value.From("allowed_services"), ObjectValue.Wrap(allowed)),
        ]);
    }

    public static string ServiceInput(int index) => ServiceInputTemplate.Replace("IDX", index.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
