using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins.Security;

/// <summary>A key usable for JWS: from a JWK, a PEM certificate or a PEM public key.</summary>
internal abstract class JoseKey
{
    /// <summary>The JWK "alg" member ("" when absent).</summary>
    public string Alg { get; init; } = string.Empty;

    /// <summary>The JWK "kid" member ("" when absent).</summary>
    public string Kid { get; init; } = string.Empty;

    /// <summary>Verifies a JWS signature for <paramref name="alg"/>; false for a key of the wrong kind or any malformed input.</summary>
    public abstract bool Verify(string alg, byte[] signingInput, byte[] signature);

    /// <summary>Signs for <paramref name="alg"/>, or throws <see cref="BuiltinErrorException"/> when the key cannot.</summary>
    public abstract byte[] Sign(string alg, byte[] signingInput);

    public static HashAlgorithmName HashFor(string alg) => alg[^3..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        "512" => HashAlgorithmName.SHA512,
        _ => throw new BuiltinErrorException("unsupported algorithm: " + alg),
    };

    public static byte[] Hash(HashAlgorithmName name, byte[] data) =>
        name == HashAlgorithmName.SHA256 ? SHA256.HashData(data)
        : name == HashAlgorithmName.SHA384 ? SHA384.HashData(data)
        : SHA512.HashData(data);

    protected static BuiltinErrorException SignError(string alg, string kind) =>
        new($"failed to sign payload: key of type {kind} cannot sign with algorithm {alg}");
}

internal sealed class RsaJoseKey(RSA rsa, bool isPrivate) : JoseKey
{
    public RSA Rsa { get; } = rsa;

    public bool IsPrivate { get; } = isPrivate;

    public override bool Verify(string alg, byte[] signingInput, byte[] signature)
    {
        if (alg.Length != 5 || alg[0] is not ('R' or 'P') || alg[1] != 'S')
        {
            return false;
        }

        try
        {
            var hash = HashFor(alg);
            lock (Rsa)
            {
                return alg[0] == 'R'
                    ? Rsa.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pkcs1)
                    : RsaPss.Verify(Rsa, hash, Hash(hash, signingInput), signature);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override byte[] Sign(string alg, byte[] signingInput)
    {
        if (!IsPrivate || alg.Length != 5 || alg[0] is not ('R' or 'P') || alg[1] != 'S')
        {
            throw SignError(alg, "RSA");
        }

        try
        {
            return Rsa.SignData(signingInput, HashFor(alg), alg[0] == 'R' ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss);
        }
        catch (CryptographicException e)
        {
            throw new BuiltinErrorException("failed to sign payload: " + e.Message);
        }
    }
}

internal sealed class EcJoseKey(ECDsa ecdsa, bool isPrivate) : JoseKey
{
    public ECDsa Ecdsa { get; } = ecdsa;

    public bool IsPrivate { get; } = isPrivate;

    public int FieldSize => (Ecdsa.KeySize + 7) / 8;

    public override bool Verify(string alg, byte[] signingInput, byte[] signature)
    {
        if (!alg.StartsWith("ES", StringComparison.Ordinal) || signature.Length != 2 * FieldSize)
        {
            return false;
        }

        try
        {
            var digest = Hash(HashFor(alg), signingInput);
            lock (Ecdsa)
            {
                return Ecdsa.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>OPA's verify_esNNN: r and s are the two halves of the signature, any length, over an already-hashed input.</summary>
    public bool VerifyHalves(byte[] digest, byte[] signature)
    {
        var n = signature.Length / 2;
        var r = signature.AsSpan(0, n).TrimStart((byte)0);
        var s = signature.AsSpan(n).TrimStart((byte)0);
        var size = FieldSize;
        if (r.Length > size || s.Length > size)
        {
            return false;
        }

        var fixedSignature = new byte[2 * size];
        r.CopyTo(fixedSignature.AsSpan(size - r.Length));
        s.CopyTo(fixedSignature.AsSpan((2 * size) - s.Length));
        try
        {
            lock (Ecdsa)
            {
                return Ecdsa.VerifyHash(digest, fixedSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override byte[] Sign(string alg, byte[] signingInput)
    {
        if (!IsPrivate || !alg.StartsWith("ES", StringComparison.Ordinal))
        {
            throw SignError(alg, "EC");
        }

        try
        {
            return Ecdsa.SignHash(Hash(HashFor(alg), signingInput), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException e)
        {
            throw new BuiltinErrorException("failed to sign payload: " + e.Message);
        }
    }
}

internal sealed class OctJoseKey(byte[] secret) : JoseKey
{
    public byte[] Secret { get; } = secret;

    public static byte[] Mac(string alg, byte[] key, byte[] data) => alg switch
    {
        "HS256" => HMACSHA256.HashData(key, data),
        "HS384" => HMACSHA384.HashData(key, data),
        "HS512" => HMACSHA512.HashData(key, data),
        _ => throw new BuiltinErrorException("unsupported algorithm: " + alg),
    };

    public override bool Verify(string alg, byte[] signingInput, byte[] signature) =>
        alg is "HS256" or "HS384" or "HS512" && CryptographicOperations.FixedTimeEquals(Mac(alg, Secret, signingInput), signature);

    public override byte[] Sign(string alg, byte[] signingInput) =>
        alg is "HS256" or "HS384" or "HS512" ? Mac(alg, Secret, signingInput) : throw SignError(alg, "oct");
}

internal sealed class Ed25519JoseKey(byte[] publicKey, byte[]? privateSeed) : JoseKey
{
    public byte[] PublicKey { get; } = publicKey;

    public byte[]? PrivateSeed { get; } = privateSeed;

    public bool VerifyRaw(byte[] message, byte[] signature) =>
        PublicKey.Length == Ed25519.PublicKeySize && signature.Length == Ed25519.SignatureSize
        && Ed25519.Verify(signature, 0, PublicKey, 0, message, 0, message.Length);

    public override bool Verify(string alg, byte[] signingInput, byte[] signature)
    {
        if (alg != "EdDSA")
        {
            return false;
        }

        try
        {
            return VerifyRaw(signingInput, signature);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public override byte[] Sign(string alg, byte[] signingInput)
    {
        if (alg != "EdDSA" || PrivateSeed is null || PrivateSeed.Length != Ed25519.SecretKeySize)
        {
            throw SignError(alg, "OKP");
        }

        var signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(PrivateSeed, 0, signingInput, 0, signingInput.Length, signature, 0);
        return signature;
    }
}

/// <summary>Reads keys from JWK/JWKS JSON, PEM certificates and PEM/DER public and private keys.</summary>
internal static class KeyReader
{
    public const string OidRsa = "1.2.840.113549.1.1.1";
    public const string OidEc = "1.2.840.10045.2.1";
    public const string OidEd25519 = "1.3.101.112";

    public static readonly HashSet<string> TokenAlgorithms = new(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512", "EdDSA",
    };

    private const int MaxCachedKeySets = 256;
    private const int MaxCachedKeyText = 64 * 1024;
    private static readonly ConcurrentDictionary<string, IReadOnlyList<JoseKey>> VerificationKeyCache = new(StringComparer.Ordinal);

    /// <summary>
    /// OPA's getKeysFromCertOrJWK, cached per key text for the process: importing an RSA key costs far more than a
    /// verification, and a gateway verifies every request against the same few keys. Keys lock around each use.
    /// </summary>
    public static IReadOnlyList<JoseKey> FromCertOrJwk(string text)
    {
        if (VerificationKeyCache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        var keys = ParseCertOrJwk(text);
        if (text.Length <= MaxCachedKeyText && VerificationKeyCache.Count < MaxCachedKeySets)
        {
            VerificationKeyCache.TryAdd(text, keys);
        }

        return keys;
    }

    private static IReadOnlyList<JoseKey> ParseCertOrJwk(string text)
    {
        var (block, rest) = GoPem.Decode(text);
        if (block is not null)
        {
            if (rest.Length > 0)
            {
                throw new BuiltinErrorException("extra data after a PEM certificate block");
            }

            if (block.Type == "CERTIFICATE")
            {
                try
                {
                    return [FromCertificate(X509CertificateLoader.LoadCertificate(block.Bytes))];
                }
                catch (CryptographicException e)
                {
                    throw new BuiltinErrorException("failed to parse a PEM certificate: " + e.Message);
                }
            }

            if (block.Type == "PUBLIC KEY")
            {
                try
                {
                    return [FromSubjectPublicKeyInfo(block.Bytes)];
                }
                catch (Exception e) when (e is CryptographicException or AsnContentException or BuiltinErrorException)
                {
                    throw new BuiltinErrorException("failed to parse a PEM public key: " + e.Message);
                }
            }

            throw new BuiltinErrorException("failed to extract a Key from the PEM certificate");
        }

        try
        {
            // Keys for algorithms JWS cannot use (e.g. RSA-OAEP encryption keys) are dropped before they are imported.
            return ParseJwkSet(text, allowPrivate: true, include: jwk => Str(jwk, "alg") is var alg && (alg.Length == 0 || TokenAlgorithms.Contains(alg)));
        }
        catch (BuiltinErrorException e)
        {
            throw new BuiltinErrorException("failed to parse a JWK key (set): " + e.Message);
        }
    }

    public static JoseKey FromCertificate(X509Certificate2 cert)
    {
        var oid = cert.PublicKey.Oid.Value;
        return oid switch
        {
            OidRsa => new RsaJoseKey(cert.GetRSAPublicKey()!, false),
            OidEc => new EcJoseKey(cert.GetECDsaPublicKey()!, false),
            OidEd25519 => new Ed25519JoseKey(cert.PublicKey.EncodedKeyValue.RawData, null),
            _ => throw new BuiltinErrorException("x509: unsupported public key algorithm " + oid),
        };
    }

    public static JoseKey FromSubjectPublicKeyInfo(byte[] der)
    {
        var (oid, key) = ReadSpki(der);
        switch (oid)
        {
            case OidRsa:
                {
                    var rsa = RSA.Create();
                    rsa.ImportSubjectPublicKeyInfo(der, out _);
                    return new RsaJoseKey(rsa, false);
                }

            case OidEc:
                {
                    var ec = ECDsa.Create();
                    ec.ImportSubjectPublicKeyInfo(der, out _);
                    return new EcJoseKey(ec, false);
                }

            case OidEd25519:
                return new Ed25519JoseKey(key, null);
            default:
                throw new BuiltinErrorException("x509: unknown public key algorithm");
        }
    }

    /// <summary>The algorithm OID and the raw subjectPublicKey bits of a SubjectPublicKeyInfo.</summary>
    public static (string Oid, byte[] Key) ReadSpki(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var spki = reader.ReadSequence();
        var algorithm = spki.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var key = spki.ReadBitString(out _);
        return (oid, key);
    }

    private static byte[] B64(ObjectValue jwk, string member, bool required = true)
    {
        var value = jwk[member];
        if (value is null)
        {
            return required ? throw new BuiltinErrorException($"required field {member} is missing") : [];
        }

        if (value is not StringValue s)
        {
            throw new BuiltinErrorException($"field {member} must be a string");
        }

        try
        {
            var text = s.Value.TrimEnd('=');
            return GoBase64.DecodeUrlOpa(text);
        }
        catch (BuiltinErrorException e)
        {
            throw new BuiltinErrorException($"failed to decode {member}: {e.Message}");
        }
    }

    private static string Str(ObjectValue jwk, string member) => jwk[member] is StringValue s ? s.Value : string.Empty;

    /// <summary>A JWK or a JWK set ({"keys": [...]}) as JSON text.</summary>
    public static List<JoseKey> ParseJwkSet(string json, bool allowPrivate, Func<ObjectValue, bool>? include = null)
    {
        Value parsed;
        try
        {
            parsed = Value.FromJson(json);
        }
        catch (Exception e) when (e is ValueParseException or FormatException or System.Text.Json.JsonException)
        {
            throw new BuiltinErrorException("failed to unmarshal JSON: " + e.Message);
        }

        if (parsed is not ObjectValue obj)
        {
            throw new BuiltinErrorException("invalid JWK: not a JSON object");
        }

        if (obj["keys"] is { } keys)
        {
            if (keys is not ArrayValue array)
            {
                throw new BuiltinErrorException("invalid JWK set: keys must be an array");
            }

            var result = new List<JoseKey>(array.Count);
            foreach (var item in array)
            {
                var jwk = item as ObjectValue ?? throw new BuiltinErrorException("invalid JWK: not a JSON object");
                if (include is null || include(jwk))
                {
                    result.Add(ParseJwk(jwk, allowPrivate));
                }
            }

            return result;
        }

        return include is null || include(obj) ? [ParseJwk(obj, allowPrivate)] : [];
    }

    public static JoseKey ParseJwk(ObjectValue jwk, bool allowPrivate)
    {
        var kty = Str(jwk, "kty");
        var alg = Str(jwk, "alg");
        var kid = Str(jwk, "kid");
        try
        {
            switch (kty)
            {
                case "RSA":
                    {
                        var p = new RSAParameters { Modulus = B64(jwk, "n"), Exponent = B64(jwk, "e") };
                        var isPrivate = allowPrivate && jwk["d"] is not null;
                        if (isPrivate)
                        {
                            p.D = B64(jwk, "d");
                            p.P = B64(jwk, "p");
                            p.Q = B64(jwk, "q");
                            p.DP = B64(jwk, "dp");
                            p.DQ = B64(jwk, "dq");
                            p.InverseQ = B64(jwk, "qi");
                            NormaliseRsa(ref p);
                        }

                        var rsa = RSA.Create();
                        rsa.ImportParameters(p);
                        return new RsaJoseKey(rsa, isPrivate) { Alg = alg, Kid = kid };
                    }

                case "EC":
                    {
                        var crv = Str(jwk, "crv");
                        var curve = crv switch
                        {
                            "P-256" => ECCurve.NamedCurves.nistP256,
                            "P-384" => ECCurve.NamedCurves.nistP384,
                            "P-521" => ECCurve.NamedCurves.nistP521,
                            _ => throw new BuiltinErrorException("invalid curve algorithm " + crv),
                        };
                        var size = crv switch { "P-256" => 32, "P-384" => 48, _ => 66 };
                        var p = new ECParameters { Curve = curve, Q = new ECPoint { X = Pad(B64(jwk, "x"), size), Y = Pad(B64(jwk, "y"), size) } };
                        var isPrivate = allowPrivate && jwk["d"] is not null;
                        if (isPrivate)
                        {
                            p.D = Pad(B64(jwk, "d"), size);
                        }

                        var ec = ECDsa.Create();
                        ec.ImportParameters(p);
                        return new EcJoseKey(ec, isPrivate) { Alg = alg, Kid = kid };
                    }

                case "oct":
                    return new OctJoseKey(B64(jwk, "k")) { Alg = alg, Kid = kid };
                case "OKP":
                    {
                        var crv = Str(jwk, "crv");
                        if (crv != "Ed25519")
                        {
                            throw new BuiltinErrorException("unsupported curve " + crv);
                        }

                        var x = B64(jwk, "x");
                        var d = allowPrivate && jwk["d"] is not null ? B64(jwk, "d") : null;
                        if (x.Length != Ed25519.PublicKeySize || (d is not null && d.Length != Ed25519.SecretKeySize))
                        {
                            throw new BuiltinErrorException("invalid Ed25519 key size");
                        }

                        return new Ed25519JoseKey(x, d) { Alg = alg, Kid = kid };
                    }

                default:
                    throw new BuiltinErrorException(kty.Length == 0 ? "invalid key type from JSON ()" : $"invalid key type from JSON ({kty})");
            }
        }
        catch (CryptographicException e)
        {
            throw new BuiltinErrorException("failed to import key: " + e.Message);
        }
    }

    private static byte[] Pad(byte[] value, int size)
    {
        if (value.Length >= size)
        {
            return value;
        }

        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    /// <summary>.NET wants D as long as the modulus and the CRT values half as long.</summary>
    private static void NormaliseRsa(ref RSAParameters p)
    {
        var n = p.Modulus!.AsSpan().TrimStart((byte)0).Length;
        var half = (n + 1) / 2;
        p.Modulus = p.Modulus.AsSpan().TrimStart((byte)0).ToArray();
        p.D = Pad(p.D!.AsSpan().TrimStart((byte)0).ToArray(), n);
        p.P = Pad(p.P!.AsSpan().TrimStart((byte)0).ToArray(), half);
        p.Q = Pad(p.Q!.AsSpan().TrimStart((byte)0).ToArray(), half);
        p.DP = Pad(p.DP!.AsSpan().TrimStart((byte)0).ToArray(), half);
        p.DQ = Pad(p.DQ!.AsSpan().TrimStart((byte)0).ToArray(), half);
        p.InverseQ = Pad(p.InverseQ!.AsSpan().TrimStart((byte)0).ToArray(), half);
    }

    /// <summary>Big-endian magnitude without leading zeros, as Go's big.Int.Bytes().</summary>
    public static byte[] Trim(byte[]? value) => value is null ? [] : value.AsSpan().TrimStart((byte)0).ToArray();

    public static BigInteger ToBigInteger(byte[]? value) => value is null ? BigInteger.Zero : new BigInteger(value, isUnsigned: true, isBigEndian: true);

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
