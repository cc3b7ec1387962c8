using System.Text;
using Vigil.Policy.Builtins;
using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Security.BuiltinHarness;

namespace Vigil.Policy.Tests.Builtins.Security;

public sealed class JwtBuiltinsTests
{
    private const string Jwk42 = """{"kty":"oct","k":"NDI"}""";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Sign(string header, string payload, string jwk = Jwk42) =>
        ((StringValue)Call("io.jwt.encode_sign_raw", S(header), S(payload), S(jwk))!).Value;

    [Fact]
    public void DecodeVerify_MissingIssWhileRequired_IsUnverified()
    {
        var token = Call("io.jwt.encode_sign", Json("""{"alg":"HS256"}"""), Json("{}"), Json(Jwk42))!;
        Assert.Equal(Json("[false,{},{}]"), Call("io.jwt.decode_verify", token, Json("""{"secret":"42","iss":"xxx"}""")));
        Assert.Equal(Json("""[true,{"alg":"HS256"},{}]"""), Call("io.jwt.decode_verify", token, Json("""{"secret":"42"}""")));
    }

    [Theory]
    [InlineData("exp", "exp value must be a number")]
    [InlineData("nbf", "nbf value must be a number")]
    public void DecodeVerify_NonNumericTimeClaim_Errors(string claim, string message)
    {
        var token = Call("io.jwt.encode_sign", Json("""{"alg":"HS256"}"""), Json($$"""{"{{claim}}":"soon"}"""), Json(Jwk42))!;
        Assert.Equal(message, Error("io.jwt.decode_verify", token, Json("""{"secret":"42"}""")));
    }

    [Fact]
    public void DecodeVerify_ExpAndNbf_UseEvaluationClock()
    {
        var token = Call("io.jwt.encode_sign", Json("""{"alg":"HS256"}"""), Json("""{"nbf":1000,"exp":2000}"""), Json(Jwk42))!;
        var constraints = Json("""{"secret":"42"}""");
        Assert.Equal(Value.True, ((ArrayValue)CallAt(DateTimeOffset.FromUnixTimeSeconds(1500), "io.jwt.decode_verify", token, constraints)!)[0]);
        Assert.Equal(Value.False, ((ArrayValue)CallAt(DateTimeOffset.FromUnixTimeSeconds(999), "io.jwt.decode_verify", token, constraints)!)[0]);
        Assert.Equal(Value.True, ((ArrayValue)CallAt(DateTimeOffset.FromUnixTimeSeconds(1000), "io.jwt.decode_verify", token, constraints)!)[0]);
        Assert.Equal(Value.False, ((ArrayValue)CallAt(DateTimeOffset.FromUnixTimeSeconds(2000), "io.jwt.decode_verify", token, constraints)!)[0]);
    }

    [Theory]
    [InlineData("1e99999999999", false)]
    [InlineData("1e-99999999999", true)]
    [InlineData("2000.5", false)]
    public void DecodeVerify_ExtremeNbf_ComparesWithoutFailing(string nbf, bool valid)
    {
        var token = S(((StringValue)Call("io.jwt.encode_sign_raw", S("""{"alg":"HS256"}"""), S("{\"nbf\":" + nbf + "}"), S(Jwk42))!).Value);
        var result = (ArrayValue)CallAt(DateTimeOffset.FromUnixTimeSeconds(2000), "io.jwt.decode_verify", token, Json("""{"secret":"42"}"""))!;
        Assert.Equal(Value.From(valid), result[0]);
    }

    [Fact]
    public void DecodeVerify_AudienceRules()
    {
        var withAud = Call("io.jwt.encode_sign", Json("""{"alg":"HS256"}"""), Json("""{"aud":["a","b"]}"""), Json(Jwk42))!;
        Assert.Equal(Value.False, ((ArrayValue)Call("io.jwt.decode_verify", withAud, Json("""{"secret":"42"}"""))!)[0]);
        Assert.Equal(Value.True, ((ArrayValue)Call("io.jwt.decode_verify", withAud, Json("""{"secret":"42","aud":"b"}"""))!)[0]);
        Assert.Equal(Value.False, ((ArrayValue)Call("io.jwt.decode_verify", withAud, Json("""{"secret":"42","aud":"c"}"""))!)[0]);
    }

    [Fact]
    public void DecodeVerify_ConstraintErrors()
    {
        var token = S(Sign("""{"alg":"HS256"}""", "{}"));
        Assert.Equal("no key constraint", Error("io.jwt.decode_verify", token, Json("{}")));
        Assert.Equal("duplicate key constraints", Error("io.jwt.decode_verify", token, Json("""{"secret":"42","cert":"{\"kty\":\"oct\",\"k\":\"NDI\"}"}""")));
        Assert.Equal("unknown token validation constraint: foo", Error("io.jwt.decode_verify", token, Json("""{"secret":"42","foo":1}""")));
        Assert.Equal("token time constraint: must not be negative", Error("io.jwt.decode_verify", token, Json("""{"secret":"42","time":-1}""")));
    }

    [Fact]
    public void AlgNone_NeverVerifies()
    {
        var token = S(B64("""{"alg":"none"}""") + "." + B64("""{"sub":"x"}""") + ".");
        Assert.Equal(Json("[false,{},{}]"), Call("io.jwt.decode_verify", token, Json("""{"secret":"42"}""")));
        Assert.Equal("unknown JWS algorithm: none", Error("io.jwt.encode_sign_raw", S("""{"alg":"none"}"""), S("{}"), S(Jwk42)));
        Assert.Equal(Value.False, Call("io.jwt.verify_hs256", token, S("42")));
    }

    [Fact]
    public void VerifyHs_WrongAlgorithmKeyOrTamperedPayload_IsFalse()
    {
        var token = Sign("""{"alg":"HS256","typ":"JWT"}""", """{"sub":"x"}""");
        Assert.Equal(Value.True, Call("io.jwt.verify_hs256", S(token), S("42")));
        Assert.Equal(Value.False, Call("io.jwt.verify_hs256", S(token), S("43")));
        Assert.Equal(Value.False, Call("io.jwt.verify_hs512", S(token), S("42")));
        var parts = token.Split('.');
        var tampered = parts[0] + "." + B64("""{"sub":"admin"}""") + "." + parts[2];
        Assert.Equal(Value.False, Call("io.jwt.verify_hs256", S(tampered), S("42")));
        Assert.Equal(Value.False, ((ArrayValue)Call("io.jwt.decode_verify", S(tampered), Json("""{"secret":"42"}"""))!)[0]);
    }

    [Fact]
    public void EncodeSign_GeneratedKeys_RoundTripThroughVerify()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var p = rsa.ExportParameters(true);
        string U(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var jwk = $$"""{"kty":"RSA","n":"{{U(p.Modulus!)}}","e":"{{U(p.Exponent!)}}","d":"{{U(p.D!)}}","p":"{{U(p.P!)}}","q":"{{U(p.Q!)}}","dp":"{{U(p.DP!)}}","dq":"{{U(p.DQ!)}}","qi":"{{U(p.InverseQ!)}}"}""";
        var pub = $$"""{"kty":"RSA","n":"{{U(p.Modulus!)}}","e":"{{U(p.Exponent!)}}"}""";
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        foreach (var alg in new[] { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" })
        {
            var token = S(Sign($$"""{"alg":"{{alg}}"}""", """{"a":1}""", jwk));
            Assert.Equal(Value.True, Call("io.jwt.verify_" + alg.ToLowerInvariant(), token, S(pub)));
            Assert.Equal(Value.True, Call("io.jwt.verify_" + alg.ToLowerInvariant(), token, S(pem)));
            Assert.Equal(Value.True, ((ArrayValue)Call("io.jwt.decode_verify", token, Json($$"""{"cert":{{System.Text.Json.JsonSerializer.Serialize(pem)}}}"""))!)[0]);
        }

        foreach (var (alg, curve, crv) in new[] { ("ES256", System.Security.Cryptography.ECCurve.NamedCurves.nistP256, "P-256"), ("ES384", System.Security.Cryptography.ECCurve.NamedCurves.nistP384, "P-384"), ("ES512", System.Security.Cryptography.ECCurve.NamedCurves.nistP521, "P-521") })
        {
            using var ec = System.Security.Cryptography.ECDsa.Create(curve);
            var e = ec.ExportParameters(true);
            var ecJwk = $$"""{"kty":"EC","crv":"{{crv}}","x":"{{U(e.Q.X!)}}","y":"{{U(e.Q.Y!)}}","d":"{{U(e.D!)}}"}""";
            var token = S(Sign($$"""{"alg":"{{alg}}"}""", """{"a":1}""", ecJwk));
            Assert.Equal(Value.True, Call("io.jwt.verify_" + alg.ToLowerInvariant(), token, S(ec.ExportSubjectPublicKeyInfoPem())));
            Assert.Equal(Value.False, Call("io.jwt.verify_" + alg.ToLowerInvariant(), token, S(pem)));
        }
    }

    [Fact]
    public void MalformedInput_FailsWithBuiltinErrors()
    {
        Assert.Equal("encoded JWT had no period separators", Error("io.jwt.decode", S("abc")));
        Assert.Equal("encoded JWT must have 3 sections, found 4", Error("io.jwt.decode", S("a.b.c.d")));
        Assert.StartsWith("JWT header had invalid encoding", Error("io.jwt.decode", S("a.b.c")));
        Assert.StartsWith("bad JWT header", Error("io.jwt.decode", S(B64("[1]") + "." + B64("{}") + ".")));
        Assert.StartsWith("failed to parse a JWK key (set)", Error("io.jwt.verify_rs256", S(Sign("""{"alg":"HS256"}""", "{}")), S("not a key")));
        Assert.Equal("operand 1 must be string but got number", TypeError("io.jwt.decode", N(1)));
        Assert.Equal("type is JWT but payload is not JSON", Error("io.jwt.encode_sign_raw", S("""{"alg":"HS256"}"""), S("x"), S(Jwk42)));
        Assert.Equal(3, ((StringValue)Call("io.jwt.encode_sign_raw", S("""{"alg":"HS256","typ":"text/plain"}"""), S("x"), S(Jwk42))!).Value.Split('.').Length);
    }

    [Fact]
    public void EncodeSign_FloatTimestampsAndSets_SerialiseLikeGo()
    {
        var token = Call("io.jwt.encode_sign", Json("""{"alg":"HS256","typ":"JWT"}"""),
            ObjectValue.Create(new KeyValuePair<string, Value>[] { new("iat", Value.From(1.678e15 / 1e6)), new("exp", Value.From((1.678e15 / 1e6) + 300)) }),
            Json("""{"k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kty":"oct"}"""));
        Assert.Equal(S("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NzgwMDAzMDAsImlhdCI6MTY3ODAwMDAwMH0.ZNCOrxE5MNdrqzHmiQ7c3so0IvGqHddBZFWe3kBaQHg"), token);
        var withSet = Call("io.jwt.encode_sign", Json("""{"alg":"HS256","typ":"JWT"}"""),
            ObjectValue.Create(new KeyValuePair<string, Value>[]
            {
                new("aud", SetValue.Create(S("bob"), S("saul"))), new("exp", N(1300819380)), new("http://example.com/is_root", Value.True),
                new("iss", S("joe")), new("privateParams", Json("""{"private_one":"one","private_two":"two"}""")),
            }),
            Json("""{"k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kty":"oct"}"""));
        Assert.EndsWith(".-Or2eol8bzly-Ztb0v7_7UkcKBkN_aNNpK33HK0MeOY", ((StringValue)withSet!).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void HmacEqual_IsConstantTimeComparisonOfStrings()
    {
        Assert.Equal(Value.True, Call("crypto.hmac.equal", S("abc"), S("abc")));
        Assert.Equal(Value.False, Call("crypto.hmac.equal", S("abc"), S("abd")));
        Assert.Equal(Value.False, Call("crypto.hmac.equal", S("abc"), S("ab")));
        Assert.True(BuiltinTable.Default.Contains("crypto.sha256"));
    }
}

public sealed class RsaPssTests
{
    [Fact]
    public void Verify_AcceptsAnySaltLengthLikeGo_AndRejectsTampering()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var digest = System.Security.Cryptography.SHA256.HashData("hello"u8);
        var signature = rsa.SignHash(digest, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pss);
        Assert.True(Vigil.Policy.Builtins.Security.RsaPss.Verify(rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, digest, signature));
        // Salt lengths other than the hash length (0 and 100 bytes), signed with BouncyCastle's PSS signer.
        var p = rsa.ExportParameters(true);
        Org.BouncyCastle.Math.BigInteger B(byte[] b) => new(1, b);
        var key = new Org.BouncyCastle.Crypto.Parameters.RsaPrivateCrtKeyParameters(B(p.Modulus!), B(p.Exponent!), B(p.D!), B(p.P!), B(p.Q!), B(p.DP!), B(p.DQ!), B(p.InverseQ!));
        foreach (var saltLength in new[] { 0, 100 })
        {
            var signer = new Org.BouncyCastle.Crypto.Signers.PssSigner(new Org.BouncyCastle.Crypto.Engines.RsaBlindedEngine(), new Org.BouncyCastle.Crypto.Digests.Sha256Digest(), saltLength);
            signer.Init(true, new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(key, new Org.BouncyCastle.Security.SecureRandom()));
            signer.BlockUpdate("hello"u8.ToArray(), 0, 5);
            Assert.True(Vigil.Policy.Builtins.Security.RsaPss.Verify(rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, digest, signer.GenerateSignature()));
        }

        signature[10] ^= 1;
        Assert.False(Vigil.Policy.Builtins.Security.RsaPss.Verify(rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, digest, signature));
        Assert.False(Vigil.Policy.Builtins.Security.RsaPss.Verify(rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, digest, new byte[5]));
    }
}

public sealed class KeyCacheTests
{
    [Fact]
    public void FromCertOrJwk_SameText_ReusesParsedKeys_AndVerifiesConcurrently()
    {
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var pem = ec.ExportSubjectPublicKeyInfoPem();
        var first = Vigil.Policy.Builtins.Security.KeyReader.FromCertOrJwk(pem);
        Assert.Same(first, Vigil.Policy.Builtins.Security.KeyReader.FromCertOrJwk(pem));

        var input = "a.b"u8.ToArray();
        var signature = ec.SignData(input, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var results = new bool[64];
        Parallel.For(0, results.Length, i => results[i] = first[0].Verify("ES256", input, signature));
        Assert.All(results, Assert.True);
    }
}

public sealed class JwksFilteringTests
{
    private const string Jwks = """
        {"keys": [
          {"kty": "EC", "use": "sig", "crv": "P-256", "kid": "k1", "x": "9Qq5S5VqMQoH-FOI4atcH6V3bua03C-5ZMZMG1rszwA", "y": "LLbFxWkGBEBrTm1GMYZJy1OXCH1KLweJMCgIEPIsibU", "alg": "ES256"},
          {"kty": "RSA", "e": "AQAB", "use": "enc", "kid": "k2", "alg": "RS256", "n": "sGu-fYVE2nq2dPxJlqAMI0Z8G3FD0XcWDnD8mkfO1ddKRGuUQZmfj4gWeZGyIk3cnuoy7KJCEqa3daXc08QHuFZyfn0rH33t8_AFsvb0q0i7R2FK-Gdqs_E0-sGpYMsRJdZWfCioLkYjIHEuVnRbi3DEsWqe484rEGbKF60jNRgGC4b-8pz-E538ZkssWxcqHrYIj5bjGEU36onjS3M_yrTuNvzv_8wRioK4fbcwmGne9bDxu8LcoSReWpPn0CnUkWnfqroRcMJnC87ZuJagDW1ZWCmU3psdsVanmFFh0DP6z0fsA4h8G2n9-qp-LEKFaWwo3IWlOsIzU3MHdcEiGw"},
          {"kid": "unknown algorithm", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "onlqv4UZx5ZabJ3TCq-IO0s0xaOwo6fWl9o4SzLXPbGtvxonQhoYOeMlS0XkdEdLzB-eqh_hkQ", "e": "AQAB", "x5c": ["MIICnTCCAYUCBgGAmcG0xjANBgkqhkiG9w0BAQsFADASMRAwDgYDVQQ2YVaQn47Eew=="]}
        ]}
        """;

    [Fact]
    public void FromCertOrJwk_DropsKeysOfUnknownAlgorithmsWithoutFailing()
    {
        var keys = Vigil.Policy.Builtins.Security.KeyReader.FromCertOrJwk(Jwks);
        Assert.Equal(2, keys.Count);
        Assert.DoesNotContain(keys, k => k.Alg == "RSA-OAEP");
    }
}
