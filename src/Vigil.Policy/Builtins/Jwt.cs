using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>io.jwt.*</c> builtins: decoding, signature verification, full validation and signing.</summary>
internal static class JwtBuiltins
{
    private static readonly StringValue CtyKey = StringValue.Create("cty");
    private static readonly StringValue EncKey = StringValue.Create("enc");

    public static void Register(BuiltinTable table)
    {
        table.Add("io.jwt.decode", [ValueTypes.String], ValueTypes.Array, (_, args) => Decode(args[0]));
        table.Add("io.jwt.decode_verify", [ValueTypes.String, ValueTypes.Object], ValueTypes.Array, DecodeVerify);
        foreach (var alg in new[] { "rs256", "rs384", "rs512", "ps256", "ps384", "ps512", "es256", "es384", "es512", "eddsa" })
        {
            var name = alg == "eddsa" ? "EdDSA" : alg.ToUpperInvariant();
            table.Add("io.jwt.verify_" + alg, [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, (_, args) => Value.From(VerifyAsymmetric(name, args[0], args[1])));
        }

        foreach (var alg in new[] { "HS256", "HS384", "HS512" })
        {
            table.Add("io.jwt.verify_" + alg.ToLowerInvariant(), [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, (_, args) => Value.From(VerifyHmac(alg, args)));
        }

        table.Add("io.jwt.encode_sign", [ValueTypes.Object, ValueTypes.Object, ValueTypes.Object], ValueTypes.String, EncodeSign);
        table.Add("io.jwt.encode_sign_raw", [ValueTypes.String, ValueTypes.String, ValueTypes.String], ValueTypes.String, EncodeSignRaw);
    }

    private sealed record Token(string Header, string Payload, string Signature)
    {
        public ObjectValue? DecodedHeader { get; set; }

        public byte[] SigningInput => Encoding.UTF8.GetBytes(Header + "." + Payload);
    }

    private static Token Split(Value operand)
    {
        var text = operand as StringValue ?? throw new BuiltinTypeException(1, "string", operand);
        if (!text.Value.Contains('.', StringComparison.Ordinal))
        {
            throw new BuiltinErrorException("encoded JWT had no period separators");
        }

        var parts = text.Value.Split('.');
        if (parts.Length != 3)
        {
            throw new BuiltinErrorException($"encoded JWT must have 3 sections, found {parts.Length}");
        }

        return new Token(parts[0], parts[1], parts[2]);
    }

    private static string DecodePart(string part, string what)
    {
        try
        {
            return Encoding.UTF8.GetString(GoBase64.DecodeUrlOpa(part));
        }
        catch (BuiltinErrorException e)
        {
            throw new BuiltinErrorException($"JWT {what} had invalid encoding: {e.Message}");
        }
    }

    private static ObjectValue ExtractJsonObject(string text)
    {
        Value value;
        try
        {
            value = Value.FromJson(text);
        }
        catch (Exception e) when (e is ValueParseException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new BuiltinErrorException("invalid JSON: " + e.Message);
        }

        return value as ObjectValue ?? throw new BuiltinErrorException("decoded JSON type was not an Object");
    }

    private static ObjectValue DecodeHeader(Token token)
    {
        if (token.DecodedHeader is { } cached)
        {
            return cached;
        }

        var text = DecodePart(token.Header, "header");
        ObjectValue header;
        try
        {
            header = ExtractJsonObject(text);
        }
        catch (BuiltinErrorException e)
        {
            throw new BuiltinErrorException("bad JWT header: " + e.Message);
        }

        if (header.ContainsKey(EncKey))
        {
            throw new BuiltinErrorException("JWT is a JWE object, which is not supported");
        }

        token.DecodedHeader = header;
        return header;
    }

    private static byte[] DecodeSignature(Token token) => GoBase64.DecodeUrlOpa(token.Signature);

    private static Value Decode(Value operand)
    {
        for (var depth = 0; ; depth++)
        {
            if (depth > 64)
            {
                throw new BuiltinErrorException("JWT nesting too deep");
            }

            var token = Split(operand);
            var header = DecodeHeader(token);
            var payload = DecodePart(token.Payload, "payload");
            if (header[CtyKey] is StringValue { Value: "JWT" })
            {
                operand = Value.From(payload.Trim('"', '\''));
                continue;
            }

            var payloadObject = ExtractJsonObject(payload);
            byte[] signature;
            try
            {
                signature = DecodeSignature(token);
            }
            catch (BuiltinErrorException e)
            {
                throw new BuiltinErrorException("JWT signature had invalid encoding: " + e.Message);
            }

            // Go treats the decoded signature as a string: invalid UTF-8 bytes survive as they are.
            return ArrayValue.Create(header, payloadObject, Value.From(Convert.ToHexStringLower(signature)));
        }
    }

    private sealed class TokenHeader
    {
        public string Alg { get; set; } = string.Empty;

        public string Kid { get; set; } = string.Empty;

        public string Typ { get; set; } = string.Empty;

        public string Cty { get; set; } = string.Empty;

        public HashSet<string>? Crit { get; set; }

        public List<string> Unknown { get; } = [];

        /// <summary>RFC 7515: alg is required, and every critical parameter must be understood.</summary>
        public bool Valid => Alg.Length > 0 && !Unknown.Any(u => Crit?.Contains(u) == true);
    }

    private static TokenHeader ParseHeader(ObjectValue header)
    {
        var result = new TokenHeader();
        foreach (var (key, value) in header.Sorted.ToArray())
        {
            var name = key is StringValue s ? s.Value : key.ToString();
            string Str() => value is StringValue sv ? sv.Value : throw new BuiltinErrorException($"{name}: must be a string");
            switch (name)
            {
                case "alg":
                    result.Alg = Str();
                    break;
                case "kid":
                    result.Kid = Str();
                    break;
                case "typ":
                    result.Typ = Str();
                    break;
                case "cty":
                    result.Cty = Str();
                    break;
                case "crit":
                    {
                        var list = value as ArrayValue ?? throw new BuiltinErrorException("crit: must be a list");
                        result.Crit = [.. list.OfType<StringValue>().Select(v => v.Value)];
                        if (result.Crit.Count == 0)
                        {
                            throw new BuiltinErrorException("crit: must be a nonempty list");
                        }

                        break;
                    }

                default:
                    result.Unknown.Add(name);
                    break;
            }
        }

        return result;
    }

    /// <summary>OPA's builtinJWTVerify: RS/PS/ES/EdDSA with a PEM certificate, PEM public key, JWK or JWKS.</summary>
    private static bool VerifyAsymmetric(string alg, Value jwt, Value keyOperand)
    {
        var token = Split(jwt);
        var keyText = keyOperand as StringValue ?? throw new BuiltinTypeException(2, "string", keyOperand);
        var keys = KeyReader.FromCertOrJwk(keyText.Value);
        var signature = DecodeSignature(token);
        var header = ParseHeader(DecodeHeader(token));
        var input = token.SigningInput;

        bool Check(JoseKey key)
        {
            try
            {
                return VerifyWithOpaRules(alg, key, input, signature);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        if (header.Kid.Length > 0 && keys.FirstOrDefault(k => k.Kid == header.Kid) is { } byKid)
        {
            return Check(byKid);
        }

        foreach (var key in keys)
        {
            if (key.Alg.Length > 0 && key.Alg != header.Alg)
            {
                continue;
            }

            if (Check(key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The per-builtin verification of verify_rsNNN/psNNN/esNNN/eddsa: the builtin's algorithm, not the header's, decides.</summary>
    private static bool VerifyWithOpaRules(string alg, JoseKey key, byte[] input, byte[] signature)
    {
        switch (alg[0])
        {
            case 'R' or 'P':
                return key is RsaJoseKey rsa && rsa.Verify(alg, input, signature);
            case 'E' when alg == "EdDSA":
                return key is Ed25519JoseKey ed && ed.VerifyRaw(input, signature);
            case 'E':
                return key is EcJoseKey ec && ec.VerifyHalves(JoseKey.Hash(JoseKey.HashFor(alg), input), signature);
            default:
                return false;
        }
    }

    private static bool VerifyHmac(string alg, ReadOnlySpan<Value> args)
    {
        if (args[0] is not StringValue)
        {
            throw new BuiltinTypeException(1, "string", args[0]);
        }

        var secret = Args.String(args, 1);
        var token = Split(args[0]);
        var mac = OctJoseKey.Mac(alg, Encoding.UTF8.GetBytes(secret), token.SigningInput);
        var signature = DecodeSignature(token);
        return CryptographicOperations.FixedTimeEquals(signature, mac);
    }

    private sealed class Constraints
    {
        public string Secret { get; set; } = string.Empty;

        public string Alg { get; set; } = string.Empty;

        public string Iss { get; set; } = string.Empty;

        public string Aud { get; set; } = string.Empty;

        public IReadOnlyList<JoseKey>? Keys { get; set; }

        public double Time { get; set; } = -1;
    }

    private static double TimeFromValue(Value value)
    {
        var number = value as NumberValue ?? throw new BuiltinErrorException("token time constraint: must be a number");
        var t = number.ToDouble();
        if (double.IsInfinity(t) || double.IsNaN(t))
        {
            throw new BuiltinErrorException("token time constraint: unvalid float64");
        }

        return t < 0 ? throw new BuiltinErrorException("token time constraint: must not be negative") : t;
    }

    private static Constraints ParseConstraints(BuiltinContext context, ObjectValue operand)
    {
        var constraints = new Constraints();
        foreach (var (key, value) in operand.Sorted.ToArray())
        {
            var name = key is StringValue s ? s.Value : key.ToString();
            string Str() => value is StringValue sv ? sv.Value : throw new BuiltinErrorException($"{name} constraint: must be a string");
            switch (name)
            {
                case "cert":
                    constraints.Keys = KeyReader.FromCertOrJwk(Str());
                    break;
                case "secret":
                    constraints.Secret = Str();
                    break;
                case "alg":
                    constraints.Alg = Str();
                    break;
                case "iss":
                    constraints.Iss = Str();
                    break;
                case "aud":
                    constraints.Aud = Str();
                    break;
                case "time":
                    constraints.Time = TimeFromValue(value);
                    break;
                default:
                    throw new BuiltinErrorException("unknown token validation constraint: " + name);
            }
        }

        if (constraints.Time < 0)
        {
            constraints.Time = context.NowNs;
        }

        var count = (constraints.Keys is not null ? 1 : 0) + (constraints.Secret.Length > 0 ? 1 : 0);
        if (count > 1)
        {
            throw new BuiltinErrorException("duplicate key constraints");
        }

        if (count < 1)
        {
            throw new BuiltinErrorException("no key constraint");
        }

        return constraints;
    }

    private static bool VerifyWithConstraints(Constraints constraints, TokenHeader header, byte[] input, byte[] signature)
    {
        if (!KeyReader.TokenAlgorithms.Contains(header.Alg))
        {
            return false;
        }

        bool Check(JoseKey key)
        {
            try
            {
                return key.Verify(header.Alg, input, signature);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        if (constraints.Keys is { } keys)
        {
            if (header.Kid.Length > 0 && keys.FirstOrDefault(k => k.Kid == header.Kid) is { } byKid)
            {
                return Check(byKid);
            }

            return keys.Any(k => (k.Alg.Length == 0 || k.Alg == header.Alg) && Check(k));
        }

        return Check(new OctJoseKey(Encoding.UTF8.GetBytes(constraints.Secret)));
    }

    private static Value DecodeVerify(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var operand = args[0];
        var constraintsObject = Args.Object(args, 1);
        var unverified = ArrayValue.Create(Value.False, ObjectValue.Empty, ObjectValue.Empty);
        var constraints = ParseConstraints(context, constraintsObject);

        Token token;
        string payloadText;
        for (var depth = 0; ; depth++)
        {
            if (depth > 64)
            {
                throw new BuiltinErrorException("JWT nesting too deep");
            }

            token = Split(operand);
            var header = ParseHeader(DecodeHeader(token));
            if (!header.Valid)
            {
                return unverified;
            }

            if (constraints.Alg.Length > 0 && constraints.Alg != header.Alg)
            {
                return unverified;
            }

            var signature = DecodeSignature(token);
            if (!VerifyWithConstraints(constraints, header, token.SigningInput, signature))
            {
                return unverified;
            }

            payloadText = DecodePart(token.Payload, "payload");
            if (string.Equals(header.Cty, "JWT", StringComparison.OrdinalIgnoreCase))
            {
                operand = Value.From(payloadText);
                continue;
            }

            break;
        }

        var payload = ExtractJsonObject(payloadText);
        var headerObject = token.DecodedHeader!;

        if (constraints.Iss.Length > 0 && (payload["iss"] is not StringValue iss || iss.Value != constraints.Iss))
        {
            return unverified;
        }

        if (payload["aud"] is { } aud)
        {
            var ok = aud switch
            {
                StringValue s => s.Value == constraints.Aud,
                ArrayValue a => a.Any(e => e is StringValue es && es.Value == constraints.Aud),
                _ => false,
            };
            if (!ok)
            {
                return unverified;
            }
        }
        else if (constraints.Aud.Length > 0)
        {
            return unverified;
        }

        var now = (constraints.Time / 1_000_000_000).ToString("R", CultureInfo.InvariantCulture);
        if (payload["exp"] is { } exp)
        {
            var expNumber = exp as NumberValue ?? throw new BuiltinErrorException("exp value must be a number");
            if (GoJsonText.CompareDecimal(now, expNumber.ToNumberText()) >= 0)
            {
                return unverified;
            }
        }

        if (payload["nbf"] is { } nbf)
        {
            var nbfNumber = nbf as NumberValue ?? throw new BuiltinErrorException("nbf value must be a number");
            if (GoJsonText.CompareDecimal(now, nbfNumber.ToNumberText()) < 0)
            {
                return unverified;
            }
        }

        return ArrayValue.Create(Value.True, headerObject, payload);
    }

    private static Value EncodeSign(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var header = GoJsonText.Marshal(args[0]);
        var payload = GoJsonText.Marshal(args[1]);
        var jwk = GoJsonText.Marshal(args[2]);
        return Value.From(Sign(header, payload, jwk));
    }

    private static Value EncodeSignRaw(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var jwk = Args.String(args, 2);
        var header = Args.String(args, 0);
        var payload = Args.String(args, 1);
        return Value.From(Sign(header, payload, jwk));
    }

    /// <summary>Reads a string member of a JOSE header the way the signer does, with its error texts.</summary>
    private static string? HeaderString(string headerJson, string member, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(headerJson))
        {
            error = "cannot parse JSON: cannot parse empty string";
            return null;
        }

        Value parsed;
        try
        {
            parsed = Value.FromJson(headerJson);
        }
        catch (Exception e) when (e is ValueParseException or FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            if (headerJson.TrimStart().StartsWith('{'))
            {
                error = "cannot parse JSON: " + e.Message;
            }
            else
            {
                error = $"jwsbb: header \"{member}\" not found";
            }

            return null;
        }

        var value = (parsed as ObjectValue)?[member];
        if (value is null)
        {
            error = $"jwsbb: header \"{member}\" not found";
            return null;
        }

        if (value is not StringValue s)
        {
            error = $"jwsbb: header \"{member}\" is not a string";
            return null;
        }

        return s.Value;
    }

    private static bool IsValidJson(string text)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(text, new System.Text.Json.JsonDocumentOptions { MaxDepth = 1000 });
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string Sign(string headerJson, string payload, string jwkJson)
    {
        var keys = KeyReader.ParseJwkSet(jwkJson, allowPrivate: true);
        if (keys.Count == 0)
        {
            throw new BuiltinErrorException("no keys found in JWK set");
        }

        var key = keys[0];
        var alg = HeaderString(headerJson, "alg", out var algError);
        if (alg is null)
        {
            throw new BuiltinErrorException("missing or invalid 'alg' header: " + algError);
        }

        if (!KeyReader.TokenAlgorithms.Contains(alg))
        {
            throw new BuiltinErrorException("unknown JWS algorithm: " + alg);
        }

        var typ = HeaderString(headerJson, "typ", out _);
        if ((typ is null || typ == "JWT") && !IsValidJson(payload))
        {
            throw new BuiltinErrorException("type is JWT but payload is not JSON");
        }

        var signingInput = GoBase64.EncodeRawUrl(Encoding.UTF8.GetBytes(headerJson)) + "." + GoBase64.EncodeRawUrl(Encoding.UTF8.GetBytes(payload));
        var signature = key.Sign(alg, Encoding.UTF8.GetBytes(signingInput));
        return signingInput + "." + GoBase64.EncodeRawUrl(signature);
    }
}
