using System.Security.Cryptography;
using System.Text;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>providers.aws.sign_req</c>: AWS Signature Version 4 for an http.send request object.</summary>
internal static class ProvidersBuiltins
{
    private static readonly string[] RequiredConfig = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"];
    private static readonly HashSet<string> IgnoredHeaders = new(StringComparer.Ordinal) { "authorization", "user-agent", "x-amzn-trace-id" };

    /// <summary>The request keys http.send accepts (sign_req validates against the same list).</summary>
    private static readonly HashSet<string> AllowedRequestKeys = new(StringComparer.Ordinal)
    {
        "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode", "headers", "raw_body", "tls_use_system_certs",
        "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert", "tls_client_cert_file", "tls_client_cert_env_variable",
        "tls_client_key", "tls_client_key_file", "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache",
        "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts", "cache_ignored_headers",
    };

    public static void Register(BuiltinTable table)
    {
        table.Add("providers.aws.sign_req", [ValueTypes.Object, ValueTypes.Object, ValueTypes.Number], ValueTypes.Object, SignRequest);
    }

    private static string SetText(IEnumerable<string> items) =>
        "{" + string.Join(", ", items.Order(StringComparer.Ordinal).Select(i => "\"" + i + "\"")) + "}";

    private static string Str(Value? v) => v is StringValue s ? s.Value : string.Empty;

    private static Value SignRequest(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var request = Args.Object(args, 0);
        var config = args[1] as ObjectValue ?? throw new BuiltinTypeException(1, "object", args[1]);
        var missing = RequiredConfig.Where(k => config[k] is null).ToList();
        if (missing.Count > 0)
        {
            throw new BuiltinTypeException("operand 2 missing required AWS config parameters(s): " + SetText(missing));
        }

        var invalid = RequiredConfig.Where(k => config[k] is not StringValue).ToList();
        if (invalid.Count > 0)
        {
            throw new BuiltinTypeException("operand 2 invalid values for required AWS config parameters(s): " + SetText(invalid));
        }

        var service = Str(config["aws_service"]);
        var accessKey = Str(config["aws_access_key"]);
        var secretKey = Str(config["aws_secret_access_key"]);
        var region = Str(config["aws_region"]);
        var sessionToken = Str(config["aws_session_token"]);

        var timestamp = args[2] as NumberValue ?? throw new BuiltinTypeException(1, "number", args[2]);
        if (timestamp.Representation == NumberRepresentation.Float
            || (timestamp.LiteralText is { } literal && literal.AsSpan().IndexOfAny(".eE") >= 0)
            || !timestamp.TryGetInt64(out var ns))
        {
            throw new BuiltinTypeException("operand 3 could not convert time_ns value into a unix timestamp");
        }

        var keys = request.Keys.Select(k => k is StringValue s ? s.Value : k.ToString()).ToList();
        var unknown = keys.Where(k => !AllowedRequestKeys.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new BuiltinTypeException("operand 1 invalid request parameters(s): " + SetText(unknown));
        }

        var missingRequest = new[] { "method", "url" }.Where(k => !keys.Contains(k)).ToList();
        if (missingRequest.Count > 0)
        {
            throw new BuiltinTypeException("operand 1 missing required request parameters(s): " + SetText(missingRequest));
        }

        var headers = ObjectValue.Empty;
        if (request["headers"] is { } headersValue)
        {
            headers = headersValue as ObjectValue ?? throw new BuiltinTypeException(0, "object", headersValue);
        }

        var invalidRequest = new List<string>();
        if (request["url"] is not StringValue)
        {
            invalidRequest.Add("url");
        }

        if (request["method"] is not StringValue)
        {
            invalidRequest.Add("method");
        }

        if (invalidRequest.Count > 0)
        {
            throw new BuiltinTypeException("operand 1 invalid values for required request parameters(s): " + SetText(invalidRequest));
        }

        var (host, escapedPath, rawQuery) = ParseUrl(Str(request["url"]));
        var method = Str(request["method"]);
        byte[] body = request["raw_body"] is { } rawBody ? Encoding.UTF8.GetBytes(Str(rawBody))
            : request["body"] is { } bodyValue ? Encoding.UTF8.GetBytes(GoJsonText.Marshal(bodyValue))
            : [];

        var disablePayloadSigning = false;
        if (config["disable_payload_signing"] is { } disable)
        {
            disablePayloadSigning = disable is BooleanValue b
                ? b.Value
                : throw new BuiltinTypeException("operand 2 invalid value for 'disable_payload_signing' in AWS config");
        }

        var headerMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in headers.Sorted.ToArray())
        {
            headerMap[Str(k)] = Str(v);
        }

        var now = GoTime.FromUnixNanos(ns, GoZone.Utc);
        var (authorization, awsHeaders) = SignV4(headerMap, method, host, escapedPath, rawQuery, body, service, accessKey, secretKey, region, sessionToken, now, disablePayloadSigning);

        var signed = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var (k, v) in headerMap)
        {
            signed[k] = Value.From(v);
        }

        signed["Authorization"] = Value.From(authorization);
        foreach (var (k, v) in awsHeaders)
        {
            signed[k] = Value.From(v);
        }

        var output = new Dictionary<Value, Value>(request.Items)
        {
            [Value.From("headers")] = ObjectValue.Create(signed),
        };
        return ObjectValue.Wrap(output);
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static byte[] Mac(byte[] key, string message) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(message));

    private static (string Authorization, Dictionary<string, string> AwsHeaders) SignV4(
        Dictionary<string, string> headers, string method, string host, string escapedPath, string rawQuery, byte[] body, string service,
        string accessKey, string secretKey, string region, string sessionToken, GoTime now, bool disablePayloadSigning)
    {
        var contentSha256 = disablePayloadSigning ? "UNSIGNED-PAYLOAD" : Hex(SHA256.HashData(body));
        var dateNow = GoLayout.Format(now, "20060102");
        var isoNow = GoLayout.Format(now, "20060102T150405Z");
        var awsHeaders = new Dictionary<string, string>(StringComparer.Ordinal) { ["host"] = host, ["x-amz-date"] = isoNow };
        if (service is "s3" or "glacier")
        {
            awsHeaders["x-amz-content-sha256"] = contentSha256;
        }

        if (sessionToken.Length > 0)
        {
            awsHeaders["x-amz-security-token"] = sessionToken;
        }

        var toSign = new Dictionary<string, string>(awsHeaders, StringComparer.Ordinal);
        foreach (var (k, v) in headers)
        {
            var lower = k.ToLowerInvariant();
            if (!IgnoredHeaders.Contains(lower))
            {
                toSign[lower] = v;
            }
        }

        var ordered = toSign.Keys.Order(StringComparer.Ordinal).ToList();
        var canonical = new StringBuilder();
        canonical.Append(method).Append('\n').Append(escapedPath).Append('\n').Append(rawQuery).Append('\n');
        foreach (var k in ordered)
        {
            canonical.Append(k).Append(':').Append(toSign[k]).Append('\n');
        }

        canonical.Append('\n');
        var headerList = string.Join(';', ordered);
        canonical.Append(headerList).Append('\n').Append(contentSha256);

        var scope = $"{dateNow}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{isoNow}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
        var key = Mac(Encoding.UTF8.GetBytes("AWS4" + secretKey), dateNow);
        key = Mac(key, region);
        key = Mac(key, service);
        key = Mac(key, "aws4_request");
        var signature = Hex(Mac(key, stringToSign));
        var authorization = $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope},SignedHeaders={headerList},Signature={signature}";
        return (authorization, awsHeaders);
    }

    /// <summary>The parts of Go's url.Parse that signing uses: Host, EscapedPath() and RawQuery.</summary>
    private static (string Host, string EscapedPath, string RawQuery) ParseUrl(string url)
    {
        var rest = url;
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            rest = rest[..hash];
        }

        var query = string.Empty;
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = rest[(question + 1)..];
            rest = rest[..question];
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && char.IsAsciiLetter(rest[0]) && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            rest = rest[(colon + 1)..];
        }

        var host = string.Empty;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            host = slash < 0 ? rest[2..] : rest[2..slash];
            rest = slash < 0 ? string.Empty : rest[slash..];
            var at = host.LastIndexOf('@');
            if (at >= 0)
            {
                host = host[(at + 1)..];
            }
        }

        return (host, EscapePath(rest), query);
    }

    private static string EscapePath(string raw)
    {
        const string validEncoded = "!$&'()*+,;=:@[]%/-_.~";
        if (raw.All(c => char.IsAsciiLetterOrDigit(c) || validEncoded.Contains(c, StringComparison.Ordinal)))
        {
            return raw;
        }

        return Encodings.EscapeUrlPath(Uri.UnescapeDataString(raw));
    }
}
