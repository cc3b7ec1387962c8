using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Server.Sessions;

namespace Vigil.Server.Gateway;

/// <summary>
/// Signs the identity assertion passed to upstreams: an ES256 JWT (audience = the route, 60 s lifetime).
/// Public keys are published as JWKS at <c>/.vigil/jwks</c>. Signed assertions are cached per session and
/// route for half their lifetime so the hot path rarely pays for an ECDSA signature.
/// </summary>
internal sealed class AssertionSigner : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private readonly ECDsa _key;
    private readonly string _encodedHeader;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RefreshAt)> _cache = new(StringComparer.Ordinal);

    public AssertionSigner(ECDsa key, string issuer, TimeProvider time)
    {
        _key = key;
        _time = time;
        Issuer = issuer;
        var p = key.ExportParameters(false);
        KeyId = Base64Url.EncodeToString(SHA256.HashData([.. p.Q.X!, .. p.Q.Y!]))[..16];
        _encodedHeader = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = KeyId }));
        Jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = KeyId,
                    ["x"] = Base64Url.EncodeToString(p.Q.X!), ["y"] = Base64Url.EncodeToString(p.Q.Y!),
                },
            },
        });
    }

    public string Issuer { get; }

    public string KeyId { get; }

    /// <summary>The JWKS document (JSON).</summary>
    public string Jwks { get; }

    /// <summary>Loads the P-256 key from <paramref name="path"/> (PEM), creating it on first use.</summary>
    public static ECDsa LoadOrCreateKey(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }

    /// <summary>Returns a current assertion for this subject and route.</summary>
    public string GetAssertion(Subject subject, string route)
    {
        var now = _time.GetUtcNow();
        var cacheKey = subject.SessionId is null ? null : subject.SessionId + "\n" + route;
        if (cacheKey is not null && _cache.TryGetValue(cacheKey, out var cached) && cached.RefreshAt > now)
        {
            return cached.Token;
        }

        var token = Sign(subject, route, now);
        if (cacheKey is not null)
        {
            if (_cache.Count > 100_000)
            {
                _cache.Clear();
            }

            _cache[cacheKey] = (token, now + (Lifetime / 2));
        }

        return token;
    }

    private string Sign(Subject subject, string route, DateTimeOffset now)
    {
        var payload = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = subject.Id,
            ["aud"] = route,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds() - 5,
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
            ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ["vigil_subject_type"] = subject.Type,
        };
        if (subject.Email is not null)
        {
            payload["email"] = subject.Email;
        }

        if (subject.Name is not null)
        {
            payload["name"] = subject.Name;
        }

        payload["roles"] = subject.Roles;
        payload["groups"] = subject.Groups;
        if (subject.Amr.Count > 0)
        {
            payload["amr"] = subject.Amr;
        }

        if (subject.AuthTime is { } authTime)
        {
            payload["auth_time"] = authTime.ToUnixTimeSeconds();
        }

        if (subject.SessionId is not null)
        {
            payload["sid"] = subject.SessionId;
        }

        var signingInput = _encodedHeader + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _key.Dispose();
}
