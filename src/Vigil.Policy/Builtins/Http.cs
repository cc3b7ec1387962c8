using Vigil.Policy.Values;
using T = Vigil.Policy.Builtins.ValueTypes;

namespace Vigil.Policy.Builtins;

/// <summary>
/// http.send: the request object is validated exactly as OPA does, but Vigil never makes
/// outbound calls from policy evaluation (a policy engine inside an access gateway must not be
/// an SSRF channel). The call fails closed, or, with <c>raise_error: false</c>, returns OPA's
/// network-error response object. Policies can still be tested with <c>with http.send as ...</c>.
/// </summary>
internal static class Http
{
    private static readonly HashSet<string> AllowedKeys = new(StringComparer.Ordinal)
    {
        "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode", "headers", "raw_body",
        "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert",
        "tls_client_cert_file", "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
        "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache", "force_cache",
        "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts", "cache_ignored_headers",
    };

    private static readonly string[] RequiredKeys = ["method", "url"];

    private const string Disabled = "outbound HTTP requests from policies are disabled in Vigil";

    public static void Register(BuiltinTable table) =>
        table.Add("http.send", [T.Object], T.Object, static (_, a) => Send(Args.Object(a, 0)), nondeterministic: true);

    private static Value Send(ObjectValue request)
    {
        var invalid = request.Items.Keys
            .Select(static k => k is StringValue s ? s.Value : k.ToString())
            .Where(static k => !AllowedKeys.Contains(k))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (invalid.Count > 0)
        {
            throw new BuiltinTypeException($"invalid request parameters(s): {{{string.Join(", ", invalid.Select(Strings.GoQuote))}}}");
        }

        var missing = RequiredKeys.Where(k => request[k] is null).ToList();
        if (missing.Count > 0)
        {
            throw new BuiltinTypeException($"missing required request parameters(s): {{{string.Join(", ", missing.Select(Strings.GoQuote))}}}");
        }

        if (request["raise_error"] is BooleanValue { Value: false })
        {
            return ObjectValue.Create(
            [
                new KeyValuePair<string, Value>("status_code", NumberValue.Zero),
                new KeyValuePair<string, Value>("error", ObjectValue.Create(
                [
                    new KeyValuePair<string, Value>("code", Value.From("eval_http_send_network_error")),
                    new KeyValuePair<string, Value>("message", Value.From(Disabled)),
                ])),
            ]);
        }

        throw new BuiltinErrorException(Disabled);
    }
}
