using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests.Functional;

/// <summary>Bearer-token attacks against an <c>auth: jwt</c> route. A control token proves the route does accept good tokens.</summary>
public sealed class TokenAttackTests(HarnessFixture fixture) : IClassFixture<HarnessFixture>
{
    private VigilHarness H => fixture.Harness;

    private RsaSecurityKey RealKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(H.SigningKeyPath));
        return new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportParameters(false).Modulus!))[..16] };
    }

    private string Issue(SecurityKey key, string algorithm, Action<SecurityTokenDescriptor>? change = null, bool withTimes = true, IDictionary<string, object>? header = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = H.BaseUrl.ToString(),
            Audience = "reports-api",
            Subject = new ClaimsIdentity([new Claim("sub", "reports-service"), new Claim("client_id", "reports-service"), new Claim("vigil_subject_type", "service")]),
            IssuedAt = withTimes ? now : null,
            NotBefore = withTimes ? now.AddSeconds(-5) : null,
            Expires = withTimes ? now.AddMinutes(5) : null,
            SigningCredentials = new SigningCredentials(key, algorithm),
            AdditionalHeaderClaims = header,
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = withTimes }.CreateToken(descriptor);
    }

    private async Task<HttpStatusCode> CallAsync(string token, string marker)
    {
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/data?marker={marker}");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await api.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.DoesNotContain(H.Upstream.Received, r => r.RawTarget.Contains("marker=" + marker, StringComparison.Ordinal));
        }

        return response.StatusCode;
    }

    private static string B64(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    [Fact]
    public async Task Control_TokenSignedByTheProvider_IsAccepted()
    {
        Assert.Equal(HttpStatusCode.OK, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256), "jwt-control"));
    }

    [Fact]
    public async Task AlgNone_IsRefused()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = B64(new { alg = "none", typ = "JWT" }) + "." + B64(new { iss = H.BaseUrl.ToString(), aud = "reports-api", sub = "reports-service", client_id = "reports-service", exp = now + 300, iat = now }) + ".";
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-none"));
    }

    [Fact]
    public async Task HmacSignedWithThePublicKey_RsHsConfusion_IsRefused()
    {
        var real = RealKey();
        var publicPem = Encoding.ASCII.GetBytes(real.Rsa.ExportSubjectPublicKeyInfoPem());
        var token = Issue(new SymmetricSecurityKey(publicPem) { KeyId = real.KeyId }, SecurityAlgorithms.HmacSha256);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-hs"));
    }

    [Fact]
    public async Task EmbeddedJwkOfAttackerKey_IsRefused()
    {
        var attacker = new RsaSecurityKey(RSA.Create(2048)) { KeyId = RealKey().KeyId };
        var p = attacker.Rsa.ExportParameters(false);
        var jwk = new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent), ["kid"] = attacker.KeyId };
        var token = Issue(attacker, SecurityAlgorithms.RsaSha256, header: new Dictionary<string, object> { ["jwk"] = jwk });
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-jwk"));
    }

    [Fact]
    public async Task JkuPointingElsewhere_IsRefused()
    {
        var attacker = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "attacker" };
        var token = Issue(attacker, SecurityAlgorithms.RsaSha256, header: new Dictionary<string, object> { ["jku"] = "http://127.0.0.1:1/jwks.json" });
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-jku"));
    }

    [Fact]
    public async Task UnknownKid_IsRefused()
    {
        var token = Issue(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "no-such-key" }, SecurityAlgorithms.RsaSha256);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-kid"));
    }

    [Fact]
    public async Task WrongAudience_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256, d => d.Audience = "other-api"), "jwt-aud"));

    [Fact]
    public async Task WrongIssuer_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256, d => d.Issuer = "http://127.0.0.1:1/"), "jwt-iss"));

    [Fact]
    public async Task Expired_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256, d =>
        {
            d.IssuedAt = DateTime.UtcNow.AddHours(-2);
            d.NotBefore = DateTime.UtcNow.AddHours(-2);
            d.Expires = DateTime.UtcNow.AddHours(-1);
        }), "jwt-exp"));

    [Fact]
    public async Task NotYetValid_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256, d =>
        {
            d.NotBefore = DateTime.UtcNow.AddHours(1);
            d.Expires = DateTime.UtcNow.AddHours(2);
        }), "jwt-nbf"));

    [Fact]
    public async Task MissingExp_IsRefused() =>
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(Issue(RealKey(), SecurityAlgorithms.RsaSha256, withTimes: false), "jwt-noexp"));

    [Fact]
    public async Task TamperedPayload_IsRefused()
    {
        var token = Issue(RealKey(), SecurityAlgorithms.RsaSha256).Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlEncoder.Decode(token[1]))!;
        payload["sub"] = "admin";
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token[0] + "." + B64(payload) + "." + token[2], "jwt-tamper"));
    }

    [Theory]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer")]
    [InlineData("Bearer not.a.jwt")]
    public async Task MalformedAuthorization_IsRefused(string header)
    {
        using var api = H.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/data?marker=jwt-malformed");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A token signed with the provider's real key over exactly this header and payload text (RS256).</summary>
    private string SignRaw(string headerJson, string payloadJson)
    {
        var key = RealKey();
        var signingInput = Base64UrlEncoder.Encode(headerJson.Replace("KID", key.KeyId, StringComparison.Ordinal)) + "." + Base64UrlEncoder.Encode(payloadJson);
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private string Payload(string exp, string nbf, string iat) =>
        $$"""{"iss":"{{H.BaseUrl}}","aud":"reports-api","sub":"reports-service","client_id":"reports-service","vigil_subject_type":"service","exp":{{exp}},"nbf":{{nbf}},"iat":{{iat}}}""";

    [Fact]
    public async Task RawSigning_Control_IsAccepted()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = SignRaw("""{"alg":"RS256","kid":"KID","typ":"JWT"}""", Payload($"{now + 300}", $"{now - 5}", $"{now}"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token, "jwt-raw-control"));
    }

    [Theory]
    [InlineData("""{"alg":"RS256","kid":"KID","typ":"JWT","crit":["urn:example:ext"],"urn:example:ext":true}""")]
    [InlineData("""{"alg":"RS256","kid":"KID","typ":"JWT","crit":["exp"]}""")]
    [InlineData("""{"alg":"RS256","kid":"KID","typ":"JWT","crit":[]}""")]
    [InlineData("""{"alg":"RS256","kid":"KID","typ":"JWT","b64":false,"crit":["b64"]}""")]
    public async Task CriticalHeader_AnyExtension_IsRefused(string header)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(SignRaw(header, Payload($"{now + 300}", $"{now - 5}", $"{now}")), "jwt-crit-" + header.Length));
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task NumericDate_WrittenAsAString_IsRefused(string claim)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string Value(string name, long value) => name == claim ? $"\"{value}\"" : $"{value}";
        var token = SignRaw("""{"alg":"RS256","kid":"KID","typ":"JWT"}""", Payload(Value("exp", now + 300), Value("nbf", now - 5), Value("iat", now)));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token, "jwt-date-" + claim));
    }

    [Fact]
    public async Task DuplicateMembers_AreRefused()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = Payload($"{now - 3600}", $"{now - 5}", $"{now}").TrimEnd('}') + $",\"exp\":{now + 300}}}";
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(SignRaw("""{"alg":"RS256","kid":"KID","typ":"JWT"}""", payload), "jwt-dup"));
        var header = """{"alg":"RS256","kid":"KID","typ":"JWT","alg":"RS256"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(SignRaw(header, Payload($"{now + 300}", $"{now - 5}", $"{now}")), "jwt-dup-header"));
    }
}
