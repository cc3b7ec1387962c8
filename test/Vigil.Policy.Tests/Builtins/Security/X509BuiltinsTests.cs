using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vigil.Policy.Values;
using static Vigil.Policy.Tests.Builtins.Security.BuiltinHarness;

namespace Vigil.Policy.Tests.Builtins.Security;

public sealed class X509BuiltinsTests
{
    private static readonly DateTimeOffset NotBefore = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static (X509Certificate2 Cert, ECDsa Key) MakeCertificate(string cn = "svc.example.test", bool ca = false)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={cn}, O=Vigil, C=DE", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(cn);
        san.AddIpAddress(IPAddress.Parse("10.1.2.3"));
        san.AddUri(new Uri("spiffe://example.test/ns/default/sa/web"));
        san.AddEmailAddress("ops@example.test");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, ca, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var cert = request.CreateSelfSigned(NotBefore, NotBefore.AddYears(1));
        return (cert, key);
    }

    [Fact]
    public void ParseCertificates_ReturnsGoShapedFields()
    {
        var (cert, key) = MakeCertificate(ca: true);
        using var _ = cert;
        using var __ = key;
        var parsed = (ArrayValue)Call("crypto.x509.parse_certificates", S(cert.ExportCertificatePem()))!;
        var c = (ObjectValue)parsed[0];
        Assert.Equal(S("svc.example.test"), ((ObjectValue)c["Subject"]!)["CommonName"]);
        Assert.Equal(Json("""["Vigil"]"""), ((ObjectValue)c["Subject"]!)["Organization"]);
        Assert.Equal(Json("""["DE"]"""), ((ObjectValue)c["Subject"]!)["Country"]);
        Assert.Equal(Json("""["svc.example.test"]"""), c["DNSNames"]);
        Assert.Equal(Json("""["10.1.2.3"]"""), c["IPAddresses"]);
        Assert.Equal(Json("""["ops@example.test"]"""), c["EmailAddresses"]);
        Assert.Equal(Json("""["spiffe://example.test/ns/default/sa/web"]"""), c["URIStrings"]);
        Assert.Equal(S("spiffe"), ((ObjectValue)((ArrayValue)c["URIs"]!)[0])["Scheme"]);
        Assert.Equal(N(1 | 32), c["KeyUsage"]);
        Assert.Equal(Value.True, c["IsCA"]);
        Assert.Equal(Value.True, c["BasicConstraintsValid"]);
        Assert.Equal(N(0), c["MaxPathLen"]);
        Assert.Equal(Value.True, c["MaxPathLenZero"]);
        Assert.Equal(Json("[1,2]"), c["ExtKeyUsage"]);
        Assert.Equal(N(3), c["Version"]);
        Assert.Equal(N(10), c["SignatureAlgorithm"]);
        Assert.Equal(N(3), c["PublicKeyAlgorithm"]);
        Assert.Equal(S("2024-01-02T03:04:05Z"), c["NotBefore"]);
        Assert.Equal(S(Convert.ToBase64String(cert.RawData)), c["Raw"]);
        Assert.Equal(Value.Null, c["UnhandledCriticalExtensions"]);

        // Base64 of DER and base64 of PEM give the same certificate.
        Assert.Equal(parsed, Call("crypto.x509.parse_certificates", S(Convert.ToBase64String(cert.RawData))));
        Assert.Equal(parsed, Call("crypto.x509.parse_certificates", S(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(cert.ExportCertificatePem())))));
    }

    [Fact]
    public void ParseCertificates_BadInput_ErrorsLikeOpa()
    {
        Assert.Equal("x509: malformed certificate", Error("crypto.x509.parse_certificates", S("YmFkc3RyaW5n")));
        Assert.StartsWith("illegal base64 data at input byte", Error("crypto.x509.parse_certificates", S("foobar")));
        Assert.Equal("PEM block type is 'PUBLIC KEY', expected CERTIFICATE", Error("crypto.x509.parse_certificates", S("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAwmK6SSAu2E9V7uynkCKEaj5nZJyTvNG4x0KohsRzLpg=\n-----END PUBLIC KEY-----\n")));
    }

    [Fact]
    public void ParseAndVerify_SelfSignedPairOrBrokenChain()
    {
        var (root, rootKey) = MakeCertificate("root.example.test", ca: true);
        var (other, otherKey) = MakeCertificate("other.example.test");
        using (root)
        using (rootKey)
        using (other)
        using (otherKey)
        {
            // A leaf not issued by the root does not verify.
            Assert.Equal(Json("[false,[]]"), Call("crypto.x509.parse_and_verify_certificates", S(root.ExportCertificatePem() + other.ExportCertificatePem())));
            Assert.Equal(Json("[false,[]]"), Call("crypto.x509.parse_and_verify_certificates", S(root.ExportCertificatePem())));
            Assert.Equal(Json("[false,[]]"), Call("crypto.x509.parse_and_verify_certificates", S("garbage")));
            Assert.Equal("invalid key option", Error("crypto.x509.parse_and_verify_certificates_with_options", S(root.ExportCertificatePem() + other.ExportCertificatePem()), Json("""{"Nope":1}""")));
            Assert.Equal("invalid entries for 'KeyUsages' found: [Bogus]", Error("crypto.x509.parse_and_verify_certificates_with_options", S(root.ExportCertificatePem() + other.ExportCertificatePem()), Json("""{"KeyUsages":["Bogus"]}""")));
        }
    }

    [Fact]
    public void ParseKeyPair_MatchingAndMismatchedKeys()
    {
        var (cert, key) = MakeCertificate();
        var (_, otherKey) = MakeCertificate("x");
        using (cert)
        using (key)
        using (otherKey)
        {
            var pair = (ObjectValue)Call("crypto.x509.parse_keypair", S(cert.ExportCertificatePem()), S(key.ExportPkcs8PrivateKeyPem()))!;
            Assert.Equal(S(Convert.ToBase64String(cert.RawData)), ((ArrayValue)pair["Certificate"]!)[0]);
            Assert.Equal("tls: private key does not match public key", Error("crypto.x509.parse_keypair", S(cert.ExportCertificatePem()), S(otherKey.ExportECPrivateKeyPem())));
            Assert.Equal("tls: failed to parse private key", Error("crypto.x509.parse_keypair", S(cert.ExportCertificatePem()), S("bm90IGEga2V5")));
            Assert.Equal("tls: failed to find any PEM data in certificate input", Error("crypto.x509.parse_keypair", S("-----BEGIN nothing"), S(key.ExportPkcs8PrivateKeyPem())));
        }
    }

    [Fact]
    public void ParseCertificateRequest_And_PrivateKeys()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=csr.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("csr.example.test");
        request.CertificateExtensions.Add(san.Build());
        var pem = request.CreateSigningRequestPem();
        var csr = (ObjectValue)Call("crypto.x509.parse_certificate_request", S(pem))!;
        Assert.Equal(S("csr.example.test"), ((ObjectValue)csr["Subject"]!)["CommonName"]);
        Assert.Equal(Json("""["csr.example.test"]"""), csr["DNSNames"]);
        Assert.Equal(N(1), csr["PublicKeyAlgorithm"]);
        Assert.StartsWith("asn1: structure error", Error("crypto.x509.parse_certificate_request", S("YmFkc3RyaW5n")));
        Assert.Equal("invalid PEM-encoded certificate signing request", Error("crypto.x509.parse_certificate_request", S(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key.ExportRSAPrivateKeyPem())))));

        var keys = (ArrayValue)Call("crypto.parse_private_keys", S(key.ExportRSAPrivateKeyPem() + "\n" + key.ExportPkcs8PrivateKeyPem()))!;
        Assert.Equal(2, keys.Count);
        var jwk = (ObjectValue)Call("crypto.x509.parse_rsa_private_key", S(key.ExportRSAPrivateKeyPem()))!;
        Assert.Equal(S("RSA"), jwk["kty"]);
        Assert.Equal(S("AQAB"), jwk["e"]);
        Assert.Equal(Value.Null, Call("crypto.parse_private_keys", S("")));
        Assert.Equal(ArrayValue.Empty, Call("crypto.parse_private_keys", S("nope")));
    }
}
