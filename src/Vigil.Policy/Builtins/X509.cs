using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Vigil.Policy.Builtins.Security;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins;

/// <summary>OPA's <c>crypto.x509.*</c> certificate, CSR and key-pair builtins.</summary>
internal static class X509Builtins
{
    private static readonly Value Invalid = ArrayValue.Create(Value.False, ArrayValue.Empty);

    public static void Register(BuiltinTable table)
    {
        table.Add("crypto.x509.parse_certificates", [ValueTypes.String], ValueTypes.Array, (_, args) =>
            ArrayValue.Create(CertificatesFromString(Args.String(args, 0)).Select(c => Extended(c))));
        table.Add("crypto.x509.parse_and_verify_certificates", [ValueTypes.String], ValueTypes.Array, (ctx, args) =>
            ParseAndVerify(ctx, Args.String(args, 0), null));
        table.Add("crypto.x509.parse_and_verify_certificates_with_options", [ValueTypes.String, ValueTypes.Object], ValueTypes.Array, (ctx, args) =>
            ParseAndVerify(ctx, Args.String(args, 0), Args.Object(args, 1)));
        table.Add("crypto.x509.parse_certificate_request", [ValueTypes.String], ValueTypes.Object, ParseCertificateRequest);
        table.Add("crypto.x509.parse_keypair", [ValueTypes.String, ValueTypes.String], ValueTypes.Object, ParseKeyPair);
    }

    /// <summary>The certificate JSON plus OPA's URIStrings field.</summary>
    private static ObjectValue Extended(GoX509.Parsed cert, bool withUriStrings = true)
    {
        var fields = new Dictionary<string, Value>(cert.Fields, StringComparer.Ordinal);
        if (withUriStrings)
        {
            fields["URIStrings"] = cert.Fields["URIs"] is ArrayValue uris
                ? ArrayValue.Create(uris.Select(u => (Value)Value.From(UriString((ObjectValue)u))))
                : Value.Null;
        }

        return ObjectValue.Create(fields);
    }

    private static string UriString(ObjectValue url)
    {
        string F(string name) => url[name] is StringValue s ? s.Value : string.Empty;
        var sb = new StringBuilder();
        if (F("Scheme").Length > 0)
        {
            sb.Append(F("Scheme")).Append(':');
        }

        if (F("Opaque").Length > 0)
        {
            sb.Append(F("Opaque"));
        }
        else
        {
            if (F("Host").Length > 0)
            {
                sb.Append("//").Append(F("Host"));
            }

            sb.Append(F("Path"));
        }

        if (F("RawQuery").Length > 0)
        {
            sb.Append('?').Append(F("RawQuery"));
        }

        if (F("Fragment").Length > 0)
        {
            sb.Append('#').Append(F("Fragment"));
        }

        return sb.ToString();
    }

    /// <summary>OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 of DER.</summary>
    private static List<GoX509.Parsed> CertificatesFromString(string input)
    {
        if (input.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return CertificatesFromPem(Encoding.UTF8.GetBytes(input));
        }

        var decoded = GoBase64.DecodeStd(input);
        if (decoded.AsSpan().StartsWith("-----BEGIN"u8))
        {
            return CertificatesFromPem(decoded);
        }

        return GoX509.ParseCertificates(decoded);
    }

    private static List<GoX509.Parsed> CertificatesFromPem(byte[] pem)
    {
        var der = new List<byte>();
        while (pem.Length > 0)
        {
            var (block, rest) = GoPem.Decode(pem);
            if (block is null)
            {
                break;
            }

            if (block.Type != "CERTIFICATE")
            {
                throw new BuiltinErrorException($"PEM block type is '{block.Type}', expected CERTIFICATE");
            }

            pem = rest;
            der.AddRange(block.Bytes);
        }

        return GoX509.ParseCertificates([.. der]);
    }

    private static Value ParseAndVerify(BuiltinContext context, string input, ObjectValue? options)
    {
        List<GoX509.Parsed> certs;
        try
        {
            certs = CertificatesFromString(input);
        }
        catch (BuiltinErrorException)
        {
            return Invalid;
        }

        var now = DateTimeOffset.UnixEpoch.AddTicks(context.NowNs / 100);
        string? dnsName = null;
        var usages = new List<string>();
        if (options is not null)
        {
            foreach (var (key, value) in options.Sorted.ToArray())
            {
                if (key is not StringValue k)
                {
                    continue;
                }

                switch (k.Value)
                {
                    case "DNSName":
                        dnsName = (value as StringValue ?? throw new BuiltinErrorException("'DNSName' should be a string")).Value.Trim('"');
                        break;
                    case "CurrentTime":
                        {
                            var n = value as NumberValue ?? throw new BuiltinErrorException("'CurrentTime' should be a number");
                            now = n.TryGetInt64(out var ns)
                                ? DateTimeOffset.UnixEpoch.AddTicks(ns / 100)
                                : throw new BuiltinErrorException("'CurrentTime' should be a valid int64 number");
                            break;
                        }

                    case "MaxConstraintComparisons":
                        {
                            var n = value as NumberValue ?? throw new BuiltinErrorException("'MaxConstraintComparisons' should be a number");
                            _ = n.TryGetInt32(out _) ? 0 : throw new BuiltinErrorException("'MaxConstraintComparisons' should be a valid number");
                            break;
                        }

                    case "KeyUsages":
                        {
                            IEnumerable<Value> items = value switch
                            {
                                ArrayValue a => a,
                                SetValue s => s.Sorted.ToArray(),
                                _ => throw new BuiltinErrorException("'KeyUsages' should be an Array or Set"),
                            };
                            var invalid = new List<string>();
                            foreach (var item in items.OfType<StringValue>())
                            {
                                var name = item.Value.Trim('"');
                                if (GoX509.ExtKeyUsageOids.TryGetValue(name, out var oid))
                                {
                                    usages.Add(oid);
                                }
                                else
                                {
                                    invalid.Add(name);
                                }
                            }

                            if (invalid.Count > 0)
                            {
                                throw new BuiltinErrorException($"invalid entries for 'KeyUsages' found: [{string.Join(' ', invalid)}]");
                            }

                            break;
                        }

                    default:
                        throw new BuiltinErrorException("invalid key option");
                }
            }
        }

        var chain = Verify(certs, now, dnsName, usages);
        if (chain is null)
        {
            return Invalid;
        }

        return ArrayValue.Create(Value.True, ArrayValue.Create(chain.Select(c => (Value)Extended(c, withUriStrings: options is null))));
    }

    /// <summary>Go's leaf.Verify with certs[0] as the only root and the middle ones as intermediates; null when it fails.</summary>
    private static List<GoX509.Parsed>? Verify(List<GoX509.Parsed> certs, DateTimeOffset now, string? dnsName, List<string> usages)
    {
        if (certs.Count < 2)
        {
            return null;
        }

        var loaded = new List<X509Certificate2>();
        try
        {
            foreach (var cert in certs)
            {
                loaded.Add(X509CertificateLoader.LoadCertificate(cert.Der));
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.CustomTrustStore.Add(loaded[0]);
            for (var i = 1; i < loaded.Count - 1; i++)
            {
                chain.ChainPolicy.ExtraStore.Add(loaded[i]);
            }

            // Go checks server authentication when no key usage is given; "any" disables the check.
            if (usages.Count == 0)
            {
                chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1"));
            }
            else if (!usages.Contains("2.5.29.37.0"))
            {
                foreach (var usage in usages)
                {
                    chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
                }
            }

            var leaf = loaded[^1];
            if (!chain.Build(leaf))
            {
                return null;
            }

            if (dnsName is { Length: > 0 } && !leaf.MatchesHostname(dnsName))
            {
                return null;
            }

            var byThumbprint = certs.Zip(loaded).ToDictionary(p => p.Second.Thumbprint, p => p.First, StringComparer.Ordinal);
            var result = new List<GoX509.Parsed>();
            foreach (var element in chain.ChainElements)
            {
                result.Add(byThumbprint.TryGetValue(element.Certificate.Thumbprint, out var parsed) ? parsed : GoX509.ParseCertificate(element.Certificate.RawData));
            }

            return result;
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            foreach (var cert in loaded)
            {
                cert.Dispose();
            }
        }
    }

    private static Value ParseCertificateRequest(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var input = Args.String(args, 0);
        var bytes = input.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(input)
            : GoBase64.DecodeStd(input);
        var (block, _) = GoPem.Decode(bytes);
        if (block is not null && block.Type != "CERTIFICATE REQUEST")
        {
            throw new BuiltinErrorException("invalid PEM-encoded certificate signing request");
        }

        return GoX509.ParseCertificateRequest(block?.Bytes ?? bytes);
    }

    private static Value ParseKeyPair(BuiltinContext context, ReadOnlySpan<Value> args)
    {
        var certText = Args.String(args, 0);
        var keyText = Args.String(args, 1);
        var certPem = certText.StartsWith("-----BEGIN ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(certText) : GoBase64.DecodeStd(certText);
        var keyPem = keyText.StartsWith("-----BEGIN ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(keyText) : GoBase64.DecodeStd(keyText);
        if (!certPem.AsSpan().StartsWith("-----BEGIN "u8))
        {
            certPem = Encoding.UTF8.GetBytes(GoPem.Encode("CERTIFICATE", certPem));
        }

        if (!keyPem.AsSpan().StartsWith("-----BEGIN"u8))
        {
            keyPem = Encoding.UTF8.GetBytes(GoPem.Encode("PRIVATE KEY", keyPem));
        }

        // tls.X509KeyPair: every CERTIFICATE block of the first input, the first private key block of the second.
        var certs = new List<byte[]>();
        var skipped = new List<string>();
        var rest = certPem;
        while (true)
        {
            var (block, remainder) = GoPem.Decode(rest);
            if (block is null)
            {
                break;
            }

            if (block.Type == "CERTIFICATE")
            {
                certs.Add(block.Bytes);
            }
            else
            {
                skipped.Add(block.Type);
            }

            rest = remainder;
        }

        if (certs.Count == 0)
        {
            throw new BuiltinErrorException(skipped.Count == 0
                ? "tls: failed to find any PEM data in certificate input"
                : $"tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{string.Join(' ', skipped)}]");
        }

        PemBlock? keyBlock = null;
        rest = keyPem;
        skipped.Clear();
        while (true)
        {
            var (block, remainder) = GoPem.Decode(rest);
            if (block is null)
            {
                break;
            }

            if (block.Type == "PRIVATE KEY" || block.Type.EndsWith(" PRIVATE KEY", StringComparison.Ordinal))
            {
                keyBlock = block;
                break;
            }

            skipped.Add(block.Type);
            rest = remainder;
        }

        if (keyBlock is null)
        {
            throw new BuiltinErrorException(skipped.Count == 0
                ? "tls: failed to find any PEM data in key input"
                : $"tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{string.Join(' ', skipped)}]");
        }

        var leaf = GoX509.ParseCertificate(certs[0]);
        var key = ParseTlsPrivateKey(keyBlock.Bytes);
        if (!KeyMatches(leaf, key))
        {
            throw new BuiltinErrorException("tls: private key does not match public key");
        }

        return ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("Certificate", ArrayValue.Create(certs.Select(c => (Value)Value.From(Convert.ToBase64String(c))))),
            new("PrivateKey", key.GoJson),
            new("SupportedSignatureAlgorithms", Value.Null),
            new("OCSPStaple", Value.Null),
            new("SignedCertificateTimestamps", Value.Null),
            new("Leaf", ObjectValue.Create(leaf.Fields)),
        });
    }

    /// <summary>Go's tls parsePrivateKey: PKCS#1, then PKCS#8, then SEC 1.</summary>
    private static CryptoBuiltins.PrivateKey ParseTlsPrivateKey(byte[] der)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportRSAPrivateKey(der, out _);
            return CryptoBuiltins.FromRsa(rsa);
        }
        catch (CryptographicException)
        {
        }

        try
        {
            return CryptoBuiltins.ParsePkcs8(der);
        }
        catch (BuiltinErrorException)
        {
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportECPrivateKey(der, out _);
            return CryptoBuiltins.FromEc(ec);
        }
        catch (CryptographicException)
        {
            throw new BuiltinErrorException("tls: failed to parse private key");
        }
    }

    private static bool KeyMatches(GoX509.Parsed leaf, CryptoBuiltins.PrivateKey key)
    {
        var publicKey = leaf.Fields["PublicKey"];
        return (publicKey, key.GoJson) switch
        {
            (ObjectValue pub, ObjectValue priv) when pub["N"] is { } n => n.Equals(priv["N"]) && pub["E"]!.Equals(priv["E"]),
            (ObjectValue pub, ObjectValue priv) when pub["X"] is { } x => x.Equals(priv["X"]) && pub["Y"]!.Equals(priv["Y"]),
            (StringValue pub, StringValue priv) => Convert.FromBase64String(priv.Value).AsSpan(32).SequenceEqual(Convert.FromBase64String(pub.Value)),
            _ => false,
        };
    }
}
