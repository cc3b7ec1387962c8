using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>crypto.*</c> hash, HMAC and private-key builtins (x509 ones live in <see cref="X509Builtins"/>).</summary>
internal static class CryptoBuiltins
{
    public static void Register(BuiltinTable table)
    {
        table.Add("crypto.md5", [ValueTypes.String], ValueTypes.String, (_, args) => Hex(MD5.HashData(Utf8(Args.String(args, 0)))));
        table.Add("crypto.sha1", [ValueTypes.String], ValueTypes.String, (_, args) => Hex(SHA1.HashData(Utf8(Args.String(args, 0)))));
        table.Add("crypto.sha256", [ValueTypes.String], ValueTypes.String, (_, args) => Hex(SHA256.HashData(Utf8(Args.String(args, 0)))));
        table.Add("crypto.hmac.md5", [ValueTypes.String, ValueTypes.String], ValueTypes.String, (_, args) => Hmac(args, HMACMD5.HashData));
        table.Add("crypto.hmac.sha1", [ValueTypes.String, ValueTypes.String], ValueTypes.String, (_, args) => Hmac(args, HMACSHA1.HashData));
        table.Add("crypto.hmac.sha256", [ValueTypes.String, ValueTypes.String], ValueTypes.String, (_, args) => Hmac(args, HMACSHA256.HashData));
        table.Add("crypto.hmac.sha512", [ValueTypes.String, ValueTypes.String], ValueTypes.String, (_, args) => Hmac(args, HMACSHA512.HashData));
        table.Add("crypto.hmac.equal", [ValueTypes.String, ValueTypes.String], ValueTypes.Boolean, (_, args) =>
            Value.From(CryptographicOperations.FixedTimeEquals(Utf8(Args.String(args, 0)), Utf8(Args.String(args, 1)))));
        table.Add("crypto.parse_private_keys", [ValueTypes.String], ValueTypes.Array | ValueTypes.Null, ParsePrivateKeys);
        table.Add("crypto.x509.parse_rsa_private_key", [ValueTypes.String], ValueTypes.Object | ValueTypes.Null, ParseRsaPrivateKey);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static StringValue Hex(byte[] bytes) => StringValue.Create(Convert.ToHexStringLower(bytes));

    private static Value Hmac(ReadOnlySpan<Value> args, Func<byte[], byte[], byte[]> mac)
    {
        var message = Args.String(args, 0);
        var key = Args.String(args, 1);
        return Hex(mac(Utf8(key), Utf8(message)));
    }

    /// <summary>A parsed private key: its JWK members (RFC 7518) and Go's JSON shape for crypto.PrivateKey.</summary>
    internal sealed record PrivateKey(ObjectValue Jwk, Value GoJson);

    private static string B64Url(byte[]? bytes) => GoBase64.EncodeRawUrl(KeyReader.Trim(bytes));

    private static Value Big(byte[]? bytes) => NumberValue.Create(KeyReader.ToBigInteger(bytes));

    internal static PrivateKey FromRsa(RSA rsa)
    {
        var p = rsa.ExportParameters(includePrivateParameters: true);
        var jwk = ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("kty", Value.From("RSA")),
            new("n", Value.From(B64Url(p.Modulus))),
            new("e", Value.From(B64Url(p.Exponent))),
            new("d", Value.From(B64Url(p.D))),
            new("p", Value.From(B64Url(p.P))),
            new("q", Value.From(B64Url(p.Q))),
            new("dp", Value.From(B64Url(p.DP))),
            new("dq", Value.From(B64Url(p.DQ))),
            new("qi", Value.From(B64Url(p.InverseQ))),
        });
        var go = ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("N", Big(p.Modulus)),
            new("E", Big(p.Exponent)),
            new("D", Big(p.D)),
            new("Primes", ArrayValue.Create(Big(p.P), Big(p.Q))),
            new("Precomputed", ObjectValue.Create(new KeyValuePair<string, Value>[]
            {
                new("Dp", Big(p.DP)),
                new("Dq", Big(p.DQ)),
                new("Qinv", Big(p.InverseQ)),
                new("CRTValues", ArrayValue.Empty),
            })),
        });
        return new PrivateKey(jwk, go);
    }

    internal static PrivateKey FromEc(ECDsa ec)
    {
        var p = ec.ExportParameters(includePrivateParameters: true);
        var crv = p.Curve.Oid.FriendlyName switch
        {
            "nistP256" or "ECDSA_P256" => "P-256",
            "nistP384" or "ECDSA_P384" => "P-384",
            "nistP521" or "ECDSA_P521" => "P-521",
            _ => p.Curve.Oid.Value switch
            {
                "1.2.840.10045.3.1.7" => "P-256",
                "1.3.132.0.34" => "P-384",
                "1.3.132.0.35" => "P-521",
                _ => p.Curve.Oid.FriendlyName ?? "unknown",
            },
        };
        var jwk = ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("kty", Value.From("EC")),
            new("crv", Value.From(crv)),
            new("x", Value.From(GoBase64.EncodeRawUrl(p.Q.X))),
            new("y", Value.From(GoBase64.EncodeRawUrl(p.Q.Y))),
            new("d", Value.From(GoBase64.EncodeRawUrl(p.D))),
        });
        var go = ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("Curve", ObjectValue.Empty),
            new("X", Big(p.Q.X)),
            new("Y", Big(p.Q.Y)),
            new("D", Big(p.D)),
        });
        return new PrivateKey(jwk, go);
    }

    internal static PrivateKey FromEd25519(byte[] seed)
    {
        var publicKey = new byte[32];
        Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.GeneratePublicKey(seed, 0, publicKey, 0);
        var jwk = ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("kty", Value.From("OKP")),
            new("crv", Value.From("Ed25519")),
            new("x", Value.From(GoBase64.EncodeRawUrl(publicKey))),
            new("d", Value.From(GoBase64.EncodeRawUrl(seed))),
        });
        return new PrivateKey(jwk, Value.From(Convert.ToBase64String([.. seed, .. publicKey])));
    }

    /// <summary>Go's x509.ParsePKCS8PrivateKey (RSA, EC, Ed25519).</summary>
    internal static PrivateKey ParsePkcs8(byte[] der)
    {
        string oid;
        byte[] inner;
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            reader.ReadInteger();
            var algorithm = reader.ReadSequence();
            oid = algorithm.ReadObjectIdentifier();
            inner = reader.ReadOctetString();
        }
        catch (AsnContentException e)
        {
            throw new BuiltinErrorException("x509: failed to parse private key: " + e.Message);
        }

        try
        {
            switch (oid)
            {
                case KeyReader.OidRsa:
                    {
                        var rsa = RSA.Create();
                        rsa.ImportPkcs8PrivateKey(der, out _);
                        return FromRsa(rsa);
                    }

                case KeyReader.OidEc:
                    {
                        var ec = ECDsa.Create();
                        ec.ImportPkcs8PrivateKey(der, out _);
                        return FromEc(ec);
                    }

                case KeyReader.OidEd25519:
                    {
                        var seed = new AsnReader(inner, AsnEncodingRules.BER).ReadOctetString();
                        if (seed.Length != 32)
                        {
                            throw new BuiltinErrorException("x509: invalid Ed25519 private key length");
                        }

                        return FromEd25519(seed);
                    }

                default:
                    throw new BuiltinErrorException($"x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}");
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            throw new BuiltinErrorException("x509: failed to parse private key: " + e.Message);
        }
    }

    /// <summary>OPA's getPrivateKeysFromPEMData: every RSA/PKCS#8/EC private key block, in order.</summary>
    internal static List<PrivateKey> KeysFromPem(string pemData)
    {
        var data = GoBase64.TryDecodeStd(pemData, out var decoded) ? decoded : Encoding.UTF8.GetBytes(pemData);
        var keys = new List<PrivateKey>();
        while (data.Length > 0)
        {
            var inputLength = data.Length;
            var (block, rest) = GoPem.Decode(data);
            data = rest;
            if (block is null && data.Length == 0)
            {
                break;
            }

            if (inputLength == data.Length)
            {
                break;
            }

            if (block is null)
            {
                continue;
            }

            try
            {
                switch (block.Type)
                {
                    case "RSA PRIVATE KEY":
                        {
                            var rsa = RSA.Create();
                            rsa.ImportRSAPrivateKey(block.Bytes, out _);
                            keys.Add(FromRsa(rsa));
                            break;
                        }

                    case "PRIVATE KEY":
                        keys.Add(ParsePkcs8(block.Bytes));
                        break;
                    case "EC PRIVATE KEY":
                        {
                            var ec = ECDsa.Create();
                            ec.ImportECPrivateKey(block.Bytes, out _);
                            keys.Add(FromEc(ec));
                            break;
                        }
                }
            }
            catch (CryptographicException e)
            {
                throw new BuiltinErrorException("x509: failed to parse private key: " + e.Message);
            }
        }

        return keys;
    }

    private static Value ParsePrivateKeys(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var input = Args.String(args, 0);
        if (input.Length == 0)
        {
            return Value.Null;
        }

        return ArrayValue.Create(KeysFromPem(input).Select(k => k.GoJson));
    }

    private static Value ParseRsaPrivateKey(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var input = Args.String(args, 0);
        if (input.Length == 0)
        {
            throw new BuiltinErrorException("input PEM data was empty");
        }

        if (!input.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            input = Encoding.UTF8.GetString(GoBase64.DecodeStd(input));
        }

        var keys = KeysFromPem(input);
        return keys.Count == 0 ? Value.Null : keys[0].Jwk;
    }
}
