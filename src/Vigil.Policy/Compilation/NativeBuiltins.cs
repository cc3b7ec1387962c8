using Vigil.Policy.Builtins;
using Vigil.Policy.Values;

namespace Vigil.Policy.Compilation;

/// <summary>
/// Language operators the evaluator needs even when the builtin table lacks them (<c>in</c>, <c>==</c>, <c>!=</c>).
/// Entries in the configured <see cref="BuiltinTable"/> take precedence.
/// </summary>
internal static class NativeBuiltins
{
    private static readonly BuiltinTable Table = Create();

    public static bool TryGet(string name, out BuiltinDefinition definition) => Table.TryGet(name, out definition);

    private static BuiltinTable Create()
    {
        var table = new BuiltinTable();
        table.Add("equal", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(a[0].Equals(a[1])));
        table.Add("neq", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(!a[0].Equals(a[1])));
        table.Add("internal.member_2", [ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(Member(a[0], a[1])));
        table.Add("internal.member_3", [ValueTypes.Any, ValueTypes.Any, ValueTypes.Any], ValueTypes.Boolean, static (_, a) => BooleanValue.From(Member3(a[0], a[1], a[2])));
        table.Add("rego.parse_module", [ValueTypes.String, ValueTypes.String], ValueTypes.Object, static (_, a) => ParseModule(a));
        table.Add("http.send", [ValueTypes.Object], ValueTypes.Object, static (_, a) => HttpSend(a));
        return table.Freeze();
    }

    private static readonly string[] HttpSendKeys =
    [
        "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode", "headers", "raw_body", "tls_use_system_certs",
        "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert", "tls_client_cert_file", "tls_client_cert_env_variable",
        "tls_client_key", "tls_client_key_file", "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache",
        "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts", "cache_ignored_headers",
    ];

    /// <summary>
    /// <c>http.send</c> validates its request as OPA does, then fails: policies evaluated by Vigil make no network calls
    /// (decisions must not depend on, or leak to, other services). Tests can replace it with <c>with http.send as ...</c>.
    /// </summary>
    private static Value HttpSend(ReadOnlySpan<Value> args)
    {
        var request = Args.Object(args, 0);
        var unknown = new List<string>();
        foreach (var (key, _) in request.Sorted)
        {
            var name = key is StringValue s ? s.Value : key.ToString();
            if (Array.IndexOf(HttpSendKeys, name) < 0)
            {
                unknown.Add(name);
            }
        }

        if (unknown.Count > 0)
        {
            throw new BuiltinTypeException("invalid request parameters(s): " + SetText(unknown));
        }

        var missing = new List<string>();
        foreach (var required in (string[])["method", "url"])
        {
            if (request[required] is null)
            {
                missing.Add(required);
            }
        }

        if (missing.Count > 0)
        {
            throw new BuiltinTypeException("missing required request parameters(s): " + SetText(missing));
        }

        throw new BuiltinErrorException("network access is disabled for policy evaluation");
    }

    private static string SetText(List<string> names) => "{" + string.Join(", ", names.Select(static n => "\"" + n + "\"")) + "}";

    private static Value ParseModule(ReadOnlySpan<Value> args)
    {
        var file = Args.String(args, 0);
        var text = Args.String(args, 1);
        try
        {
            return Syntax.AstJson.ToValue(Syntax.RegoParser.ParseModule(file, text, RegoVersion.Auto));
        }
        catch (PolicyCompileException e)
        {
            throw new BuiltinErrorException(e.Message);
        }
    }

    private static bool Member(Value x, Value collection) => collection switch
    {
        ArrayValue a => a.AsSpan().Contains(x),
        SetValue s => s.Contains(x),
        ObjectValue o => o.Items.ContainsValue(x),
        _ => false,
    };

    private static bool Member3(Value key, Value value, Value collection) => collection switch
    {
        ArrayValue a => key is NumberValue n && n.IsInteger && n.TryGetInt64(out var i) && i >= 0 && i < a.Count && a[(int)i].Equals(value),
        ObjectValue o => o.TryGetValue(key, out var v) && v.Equals(value),
        SetValue s => key.Equals(value) && s.Contains(value),
        _ => false,
    };
}
