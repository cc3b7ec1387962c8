using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Vigil.Policy.Values;

namespace Vigil.Policy.Builtins.Security;

/// <summary>
/// Parses X.509 certificates and CSRs into the JSON shape Go's encoding/json gives <c>x509.Certificate</c> /
/// <c>x509.CertificateRequest</c> (the shape OPA's crypto.x509.* builtins return).
/// </summary>
internal static class GoX509
{
    private static readonly Dictionary<string, int> SignatureAlgorithms = new(StringComparer.Ordinal)
    {
        ["1.2.840.113549.1.1.2"] = 1,
        ["1.2.840.113549.1.1.4"] = 2,
        ["1.2.840.113549.1.1.5"] = 3,
        ["1.2.840.113549.1.1.11"] = 4,
        ["1.2.840.113549.1.1.12"] = 5,
        ["1.2.840.113549.1.1.13"] = 6,
        ["1.2.840.10040.4.3"] = 7,
        ["2.16.840.1.101.3.4.3.2"] = 8,
        ["1.2.840.10045.4.1"] = 9,
        ["1.2.840.10045.4.3.2"] = 10,
        ["1.2.840.10045.4.3.3"] = 11,
        ["1.2.840.10045.4.3.4"] = 12,
        ["1.2.840.113549.1.1.10"] = 13,
        ["1.3.101.112"] = 16,
    };

    private static readonly Dictionary<string, int> ExtKeyUsages = new(StringComparer.Ordinal)
    {
        ["2.5.29.37.0"] = 0,
        ["1.3.6.1.5.5.7.3.1"] = 1,
        ["1.3.6.1.5.5.7.3.2"] = 2,
        ["1.3.6.1.5.5.7.3.3"] = 3,
        ["1.3.6.1.5.5.7.3.4"] = 4,
        ["1.3.6.1.5.5.7.3.5"] = 5,
        ["1.3.6.1.5.5.7.3.6"] = 6,
        ["1.3.6.1.5.5.7.3.7"] = 7,
        ["1.3.6.1.5.5.7.3.8"] = 8,
        ["1.3.6.1.5.5.7.3.9"] = 9,
        ["1.3.6.1.4.1.311.10.3.3"] = 10,
        ["2.16.840.1.113730.4.1"] = 11,
        ["1.3.6.1.4.1.311.2.1.22"] = 12,
        ["1.3.6.1.4.1.311.61.1.1"] = 13,
    };

    /// <summary>Go's x509.ExtKeyUsage numbers by OPA's option names (crypto.x509.parse_and_verify_certificates_with_options).</summary>
    public static readonly Dictionary<string, string> ExtKeyUsageOids = new(StringComparer.Ordinal)
    {
        ["KeyUsageAny"] = "2.5.29.37.0",
        ["KeyUsageServerAuth"] = "1.3.6.1.5.5.7.3.1",
        ["KeyUsageClientAuth"] = "1.3.6.1.5.5.7.3.2",
        ["KeyUsageCodeSigning"] = "1.3.6.1.5.5.7.3.3",
        ["KeyUsageEmailProtection"] = "1.3.6.1.5.5.7.3.4",
        ["KeyUsageIPSECEndSystem"] = "1.3.6.1.5.5.7.3.5",
        ["KeyUsageIPSECTunnel"] = "1.3.6.1.5.5.7.3.6",
        ["KeyUsageIPSECUser"] = "1.3.6.1.5.5.7.3.7",
        ["KeyUsageTimeStamping"] = "1.3.6.1.5.5.7.3.8",
        ["KeyUsageOCSPSigning"] = "1.3.6.1.5.5.7.3.9",
        ["KeyUsageMicrosoftServerGatedCrypto"] = "1.3.6.1.4.1.311.10.3.3",
        ["KeyUsageNetscapeServerGatedCrypto"] = "2.16.840.1.113730.4.1",
        ["KeyUsageMicrosoftCommercialCodeSigning"] = "1.3.6.1.4.1.311.2.1.22",
        ["KeyUsageMicrosoftKernelCodeSigning"] = "1.3.6.1.4.1.311.61.1.1",
    };

    /// <summary>One parsed certificate: its DER and its Go-shaped JSON object.</summary>
    public sealed record Parsed(byte[] Der, Dictionary<string, Value> Fields);

    private static Value Bytes(ReadOnlyMemory<byte> bytes) => Value.From(Convert.ToBase64String(bytes.Span));

    private static Value BytesOrNull(byte[]? bytes) => bytes is null ? Value.Null : Bytes(bytes);

    private static Value Strings(List<string>? items) => items is null ? Value.Null : ArrayValue.Create(items.Select(i => (Value)Value.From(i)));

    private static Value Oid(string oid) => ArrayValue.Create(oid.Split('.').Select(p => (Value)NumberValue.Create(BigInteger.Parse(p, CultureInfo.InvariantCulture))));

    private static Value Big(BigInteger value) => NumberValue.Create(value);

    /// <summary>Go's x509.ParseCertificates: concatenated DER certificates.</summary>
    public static List<Parsed> ParseCertificates(byte[] der)
    {
        var result = new List<Parsed>();
        var rest = (ReadOnlyMemory<byte>)der;
        while (rest.Length > 0)
        {
            int length;
            try
            {
                length = new AsnReader(rest, AsnEncodingRules.BER).PeekEncodedValue().Length;
            }
            catch (AsnContentException)
            {
                throw new BuiltinErrorException("x509: malformed certificate");
            }

            result.Add(ParseCertificate(rest[..length].ToArray()));
            rest = rest[length..];
        }

        return result;
    }

    public static Parsed ParseCertificate(byte[] der)
    {
        try
        {
            return ParseCertificateCore(der);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new BuiltinErrorException("x509: malformed certificate");
        }
    }

    private static Parsed ParseCertificateCore(byte[] der)
    {
        var fields = new Dictionary<string, Value>(StringComparer.Ordinal);
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var certificate = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbsEncoded = certificate.PeekEncodedValue();
        var tbs = certificate.ReadSequence();
        var signatureAlgorithm = certificate.ReadSequence().ReadObjectIdentifier();
        var signature = certificate.ReadBitString(out _);

        var version = 0;
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            var explicitVersion = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            version = (int)explicitVersion.ReadInteger();
        }

        var serial = tbs.ReadInteger();
        tbs.ReadSequence();
        var issuerRaw = tbs.PeekEncodedValue();
        var issuer = ParseName(tbs.ReadEncodedValue());
        var validity = tbs.ReadSequence();
        var notBefore = ReadTime(validity);
        var notAfter = ReadTime(validity);
        var subjectRaw = tbs.PeekEncodedValue();
        var subject = ParseName(tbs.ReadEncodedValue());
        var spki = tbs.ReadEncodedValue();
        Extensions? extensions = null;
        while (tbs.HasData)
        {
            var tag = tbs.PeekTag();
            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
            {
                extensions = ParseExtensions(tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3)).ReadSequence());
            }
            else
            {
                tbs.ReadEncodedValue();
            }
        }

        extensions ??= new Extensions();
        var (publicKeyAlgorithm, publicKey) = PublicKeyJson(spki.ToArray());

        fields["Raw"] = Bytes(der);
        fields["RawTBSCertificate"] = Bytes(tbsEncoded);
        fields["RawSubjectPublicKeyInfo"] = Bytes(spki);
        fields["RawSubject"] = Bytes(subjectRaw);
        fields["RawIssuer"] = Bytes(issuerRaw);
        fields["Signature"] = Bytes(signature);
        fields["SignatureAlgorithm"] = Value.From(SignatureAlgorithms.GetValueOrDefault(signatureAlgorithm));
        fields["PublicKeyAlgorithm"] = Value.From(publicKeyAlgorithm);
        fields["PublicKey"] = publicKey;
        fields["Version"] = Value.From(version + 1);
        fields["SerialNumber"] = Big(serial);
        fields["Issuer"] = issuer;
        fields["Subject"] = subject;
        fields["NotBefore"] = Value.From(FormatTime(notBefore));
        fields["NotAfter"] = Value.From(FormatTime(notAfter));
        fields["KeyUsage"] = Value.From(extensions.KeyUsage);
        fields["Extensions"] = extensions.All.Count == 0 ? Value.Null : ArrayValue.Create(extensions.All);
        fields["ExtraExtensions"] = Value.Null;
        fields["UnhandledCriticalExtensions"] = extensions.UnhandledCritical.Count == 0 ? Value.Null : ArrayValue.Create(extensions.UnhandledCritical);
        fields["ExtKeyUsage"] = extensions.ExtKeyUsage is null ? Value.Null : ArrayValue.Create(extensions.ExtKeyUsage.Select(u => (Value)Value.From(u)));
        fields["UnknownExtKeyUsage"] = extensions.UnknownExtKeyUsage is null ? Value.Null : ArrayValue.Create(extensions.UnknownExtKeyUsage.Select(Oid));
        fields["BasicConstraintsValid"] = Value.From(extensions.BasicConstraintsValid);
        fields["IsCA"] = Value.From(extensions.IsCA);
        fields["MaxPathLen"] = Value.From(extensions.MaxPathLen);
        fields["MaxPathLenZero"] = Value.From(extensions.MaxPathLenZero);
        fields["SubjectKeyId"] = BytesOrNull(extensions.SubjectKeyId);
        fields["AuthorityKeyId"] = BytesOrNull(extensions.AuthorityKeyId);
        fields["OCSPServer"] = Strings(extensions.OcspServer);
        fields["IssuingCertificateURL"] = Strings(extensions.IssuingCertificateUrl);
        AddSubjectAltNames(fields, extensions);
        fields["PermittedDNSDomainsCritical"] = Value.False;
        foreach (var name in new[] { "PermittedDNSDomains", "ExcludedDNSDomains", "PermittedIPRanges", "ExcludedIPRanges", "PermittedEmailAddresses", "ExcludedEmailAddresses", "PermittedURIDomains", "ExcludedURIDomains" })
        {
            fields[name] = Value.Null;
        }

        fields["CRLDistributionPoints"] = Strings(extensions.CrlDistributionPoints);
        fields["PolicyIdentifiers"] = extensions.Policies is null ? Value.Null : ArrayValue.Create(extensions.Policies.Select(Oid));
        fields["Policies"] = extensions.Policies is null ? Value.Null : ArrayValue.Create(extensions.Policies.Select(p => (Value)Value.From(p)));

        // Policy-constraint fields of newer Go releases (zero values: those extensions are not interpreted here).
        fields["InhibitAnyPolicy"] = Value.From(0);
        fields["InhibitAnyPolicyZero"] = Value.False;
        fields["InhibitPolicyMapping"] = Value.From(0);
        fields["InhibitPolicyMappingZero"] = Value.False;
        fields["RequireExplicitPolicy"] = Value.From(0);
        fields["RequireExplicitPolicyZero"] = Value.False;
        fields["PolicyMappings"] = Value.Null;
        return new Parsed(der, fields);
    }

    private static void AddSubjectAltNames(Dictionary<string, Value> fields, Extensions extensions)
    {
        fields["DNSNames"] = Strings(extensions.DnsNames);
        fields["EmailAddresses"] = Strings(extensions.EmailAddresses);
        fields["IPAddresses"] = Strings(extensions.IpAddresses);
        fields["URIs"] = extensions.Uris is null ? Value.Null : ArrayValue.Create(extensions.Uris.Select(UrlJson));
    }

    /// <summary>Go's CertificateRequest JSON, from a DER CSR.</summary>
    public static ObjectValue ParseCertificateRequest(byte[] der)
    {
        try
        {
            var fields = new Dictionary<string, Value>(StringComparer.Ordinal);
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var request = outer.ReadSequence();
            var infoEncoded = request.PeekEncodedValue();
            var info = request.ReadSequence();
            var signatureAlgorithm = request.ReadSequence().ReadObjectIdentifier();
            var signature = request.ReadBitString(out _);
            var version = (int)info.ReadInteger();
            var subjectRaw = info.PeekEncodedValue();
            var subject = ParseName(info.ReadEncodedValue());
            var spki = info.ReadEncodedValue();
            var extensions = new Extensions();
            var attributes = new List<Value>();
            if (info.HasData)
            {
                var set = info.ReadSetOf(new Asn1Tag(TagClass.ContextSpecific, 0));
                while (set.HasData)
                {
                    var attribute = set.ReadSequence();
                    var type = attribute.ReadObjectIdentifier();
                    var valuesEncoded = attribute.PeekEncodedValue();
                    var values = attribute.ReadSetOf();
                    if (AttributeJson(type, valuesEncoded) is { } json)
                    {
                        attributes.Add(json);
                    }

                    if (type == "1.2.840.113549.1.9.14")
                    {
                        extensions = ParseExtensions(values.ReadSequence());
                    }
                }
            }

            var (publicKeyAlgorithm, publicKey) = PublicKeyJson(spki.ToArray());
            fields["Raw"] = Bytes(der);
            fields["RawTBSCertificateRequest"] = Bytes(infoEncoded);
            fields["RawSubjectPublicKeyInfo"] = Bytes(spki);
            fields["RawSubject"] = Bytes(subjectRaw);
            fields["Version"] = Value.From(version);
            fields["Signature"] = Bytes(signature);
            fields["SignatureAlgorithm"] = Value.From(SignatureAlgorithms.GetValueOrDefault(signatureAlgorithm));
            fields["PublicKeyAlgorithm"] = Value.From(publicKeyAlgorithm);
            fields["PublicKey"] = publicKey;
            fields["Subject"] = subject;
            fields["Attributes"] = attributes.Count == 0 ? Value.Null : ArrayValue.Create(attributes);
            fields["Extensions"] = extensions.All.Count == 0 ? Value.Null : ArrayValue.Create(extensions.All);
            fields["ExtraExtensions"] = Value.Null;
            AddSubjectAltNames(fields, extensions);
            return ObjectValue.Create(fields);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new BuiltinErrorException("asn1: structure error: " + e.Message);
        }
    }

    /// <summary>
    /// Go's deprecated CertificateRequest.Attributes entry: {Type, Value: [[{Type, Value}]]}, read as
    /// SET OF SEQUENCE OF (OID, value); attributes of another shape are left out, as Go does.
    /// </summary>
    private static Value? AttributeJson(string type, ReadOnlyMemory<byte> encodedValues)
    {
        try
        {
            var outer = new List<Value>();
            var set = new AsnReader(encodedValues, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true);
            while (set.HasData)
            {
                var inner = new List<Value>();
                var sequence = set.ReadSequence();
                while (sequence.HasData)
                {
                    var pair = sequence.ReadSequence();
                    var innerType = pair.ReadObjectIdentifier();
                    Value value = Value.Null;
                    if (pair.HasData)
                    {
                        var tag = pair.PeekTag();
                        value = tag.HasSameClassAndValue(Asn1Tag.Boolean) ? Value.From(pair.ReadBoolean())
                            : tag.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) ? Bytes(pair.ReadOctetString())
                            : ReadAttributeValue(pair) is { } text ? Value.From(text)
                            : Value.Null;
                    }

                    inner.Add(ObjectValue.Create(new KeyValuePair<string, Value>[] { new("Type", Oid(innerType)), new("Value", value) }));
                }

                outer.Add(ArrayValue.Create(inner));
            }

            return ObjectValue.Create(new KeyValuePair<string, Value>[] { new("Type", Oid(type)), new("Value", ArrayValue.Create(outer)) });
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static string FormatTime(DateTimeOffset time)
    {
        var t = GoTime.FromUnixNanos(0, GoZone.Utc) with { UnixSeconds = time.ToUnixTimeSeconds(), Nanos = (int)(time.Ticks % TimeSpan.TicksPerSecond * 100) };
        return GoLayout.Format(t, GoLayout.Rfc3339Nano);
    }

    private static readonly Dictionary<string, string> NameFields = new(StringComparer.Ordinal)
    {
        ["2.5.4.6"] = "Country",
        ["2.5.4.10"] = "Organization",
        ["2.5.4.11"] = "OrganizationalUnit",
        ["2.5.4.7"] = "Locality",
        ["2.5.4.8"] = "Province",
        ["2.5.4.9"] = "StreetAddress",
        ["2.5.4.17"] = "PostalCode",
    };

    private static Value ParseName(ReadOnlyMemory<byte> encoded)
    {
        var lists = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var serialNumber = string.Empty;
        var commonName = string.Empty;
        var names = new List<Value>();
        var sequence = new AsnReader(encoded, AsnEncodingRules.BER).ReadSequence();
        while (sequence.HasData)
        {
            var set = sequence.ReadSetOf();
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                var type = attribute.ReadObjectIdentifier();
                var value = ReadAttributeValue(attribute);
                names.Add(ObjectValue.Create(new KeyValuePair<string, Value>[] { new("Type", Oid(type)), new("Value", value is null ? Value.Null : Value.From(value)) }));
                if (value is null)
                {
                    continue;
                }

                if (NameFields.TryGetValue(type, out var field))
                {
                    if (!lists.TryGetValue(field, out var list))
                    {
                        lists[field] = list = [];
                    }

                    list.Add(value);
                }
                else if (type == "2.5.4.3")
                {
                    commonName = value;
                }
                else if (type == "2.5.4.5")
                {
                    serialNumber = value;
                }
            }
        }

        var fields = new List<KeyValuePair<string, Value>>();
        foreach (var field in NameFields.Values)
        {
            fields.Add(new(field, lists.TryGetValue(field, out var list) ? Strings(list) : Value.Null));
        }

        fields.Add(new("SerialNumber", Value.From(serialNumber)));
        fields.Add(new("CommonName", Value.From(commonName)));
        fields.Add(new("Names", names.Count == 0 ? Value.Null : ArrayValue.Create(names)));
        fields.Add(new("ExtraNames", Value.Null));
        return ObjectValue.Create(fields);
    }

    private static string? ReadAttributeValue(AsnReader attribute)
    {
        var tag = attribute.PeekTag();
        if (tag.TagClass != TagClass.Universal)
        {
            attribute.ReadEncodedValue();
            return null;
        }

        switch ((UniversalTagNumber)tag.TagValue)
        {
            case UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
                or UniversalTagNumber.BMPString or UniversalTagNumber.NumericString or UniversalTagNumber.VisibleString:
                return attribute.ReadCharacterString((UniversalTagNumber)tag.TagValue);
            case UniversalTagNumber.T61String:
                return Encoding.Latin1.GetString(attribute.ReadOctetString(new Asn1Tag(UniversalTagNumber.T61String)));
            default:
                attribute.ReadEncodedValue();
                return null;
        }
    }

    private sealed class Extensions
    {
        public List<Value> All { get; } = [];

        public List<Value> UnhandledCritical { get; } = [];

        public int KeyUsage { get; set; }

        public List<int>? ExtKeyUsage { get; set; }

        public List<string>? UnknownExtKeyUsage { get; set; }

        public bool BasicConstraintsValid { get; set; }

        public bool IsCA { get; set; }

        public int MaxPathLen { get; set; }

        public bool MaxPathLenZero { get; set; }

        public byte[]? SubjectKeyId { get; set; }

        public byte[]? AuthorityKeyId { get; set; }

        public List<string>? OcspServer { get; set; }

        public List<string>? IssuingCertificateUrl { get; set; }

        public List<string>? DnsNames { get; set; }

        public List<string>? EmailAddresses { get; set; }

        public List<string>? IpAddresses { get; set; }

        public List<string>? Uris { get; set; }

        public List<string>? CrlDistributionPoints { get; set; }

        public List<string>? Policies { get; set; }
    }

    private static Extensions ParseExtensions(AsnReader sequence)
    {
        var result = new Extensions();
        while (sequence.HasData)
        {
            var extension = sequence.ReadSequence();
            var id = extension.ReadObjectIdentifier();
            var critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
            var value = extension.ReadOctetString();
            result.All.Add(ObjectValue.Create(new KeyValuePair<string, Value>[] { new("Id", Oid(id)), new("Critical", Value.From(critical)), new("Value", Bytes(value)) }));
            var handled = true;
            var reader = new AsnReader(value, AsnEncodingRules.BER);
            switch (id)
            {
                case "2.5.29.15":
                    {
                        var bits = reader.ReadBitString(out var unused);
                        var usage = 0;
                        for (var i = 0; i < 9 && i < (bits.Length * 8) - unused; i++)
                        {
                            if ((bits[i / 8] & (0x80 >> (i % 8))) != 0)
                            {
                                usage |= 1 << i;
                            }
                        }

                        result.KeyUsage = usage;
                        break;
                    }

                case "2.5.29.19":
                    {
                        var constraints = reader.ReadSequence();
                        result.BasicConstraintsValid = true;
                        if (constraints.HasData && constraints.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                        {
                            result.IsCA = constraints.ReadBoolean();
                        }

                        // Go: -1 when the extension has no path length, 0 (the zero value) when there is no extension.
                        result.MaxPathLen = constraints.HasData ? (int)constraints.ReadInteger() : -1;
                        result.MaxPathLenZero = result.MaxPathLen == 0;

                        break;
                    }

                case "2.5.29.37":
                    {
                        var usages = reader.ReadSequence();
                        while (usages.HasData)
                        {
                            var oid = usages.ReadObjectIdentifier();
                            if (ExtKeyUsages.TryGetValue(oid, out var known))
                            {
                                (result.ExtKeyUsage ??= []).Add(known);
                            }
                            else
                            {
                                (result.UnknownExtKeyUsage ??= []).Add(oid);
                            }
                        }

                        break;
                    }

                case "2.5.29.14":
                    result.SubjectKeyId = reader.ReadOctetString();
                    break;
                case "2.5.29.35":
                    {
                        var aki = reader.ReadSequence();
                        if (aki.HasData && aki.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                        {
                            result.AuthorityKeyId = aki.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
                        }

                        break;
                    }

                case "2.5.29.17":
                    ParseGeneralNames(reader.ReadSequence(), result);
                    break;
                case "1.3.6.1.5.5.7.1.1":
                    {
                        var access = reader.ReadSequence();
                        while (access.HasData)
                        {
                            var description = access.ReadSequence();
                            var method = description.ReadObjectIdentifier();
                            var tag = description.PeekTag();
                            if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                            {
                                var uri = description.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
                                if (method == "1.3.6.1.5.5.7.48.1")
                                {
                                    (result.OcspServer ??= []).Add(uri);
                                }
                                else if (method == "1.3.6.1.5.5.7.48.2")
                                {
                                    (result.IssuingCertificateUrl ??= []).Add(uri);
                                }
                            }
                        }

                        break;
                    }

                case "2.5.29.31":
                    {
                        var points = reader.ReadSequence();
                        while (points.HasData)
                        {
                            var point = points.ReadSequence();
                            if (point.HasData && point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                            {
                                var name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                                if (name.HasData && name.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
                                {
                                    var full = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
                                    while (full.HasData)
                                    {
                                        var tag = full.PeekTag();
                                        if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 6)))
                                        {
                                            (result.CrlDistributionPoints ??= []).Add(full.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                                        }
                                        else
                                        {
                                            full.ReadEncodedValue();
                                        }
                                    }
                                }
                            }
                        }

                        break;
                    }

                case "2.5.29.32":
                    {
                        var policies = reader.ReadSequence();
                        while (policies.HasData)
                        {
                            (result.Policies ??= []).Add(policies.ReadSequence().ReadObjectIdentifier());
                        }

                        break;
                    }

                default:
                    handled = false;
                    break;
            }

            if (critical && !handled)
            {
                result.UnhandledCritical.Add(Oid(id));
            }
        }

        return result;
    }

    private static void ParseGeneralNames(AsnReader names, Extensions result)
    {
        while (names.HasData)
        {
            var tag = names.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific)
            {
                names.ReadEncodedValue();
                continue;
            }

            switch (tag.TagValue)
            {
                case 1:
                    (result.EmailAddresses ??= []).Add(names.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 2:
                    (result.DnsNames ??= []).Add(names.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 6:
                    (result.Uris ??= []).Add(names.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    break;
                case 7:
                    {
                        var bytes = names.ReadOctetString(tag);
                        if (bytes.Length is 4 or 16)
                        {
                            (result.IpAddresses ??= []).Add(new System.Net.IPAddress(bytes).ToString());
                        }

                        break;
                    }

                default:
                    names.ReadEncodedValue();
                    break;
            }
        }
    }

    /// <summary>Go's url.URL JSON for a URI SAN (url.Parse: path and fragment unescaped, raw forms kept when they differ).</summary>
    private static Value UrlJson(string uri)
    {
        string scheme = string.Empty, opaque = string.Empty, host = string.Empty, rawPath, query = string.Empty, rawFragment = string.Empty;
        Value user = Value.Null;
        var rest = uri;
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            rawFragment = rest[(hash + 1)..];
            rest = rest[..hash];
        }

        var forceQuery = false;
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            query = rest[(question + 1)..];
            forceQuery = query.Length == 0;
            rest = rest[..question];
        }

        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && char.IsAsciiLetter(rest[0]) && rest[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            scheme = rest[..colon].ToLowerInvariant();
            rest = rest[(colon + 1)..];
        }

        if (scheme.Length > 0 && !rest.StartsWith('/'))
        {
            opaque = rest;
            rawPath = string.Empty;
        }
        else if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            var authority = slash < 0 ? rest[2..] : rest[2..slash];
            rawPath = slash < 0 ? string.Empty : rest[slash..];
            var at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                user = ObjectValue.Empty; // url.Userinfo has no exported fields
                authority = authority[(at + 1)..];
            }

            host = authority;
        }
        else
        {
            rawPath = rest;
        }

        var path = Unescape(rawPath);
        var fragment = Unescape(rawFragment);
        return ObjectValue.Create(new KeyValuePair<string, Value>[]
        {
            new("Scheme", Value.From(scheme)),
            new("Opaque", Value.From(opaque)),
            new("User", user),
            new("Host", Value.From(host)),
            new("Path", Value.From(path)),
            new("RawPath", Value.From(EscapePath(path) == rawPath ? string.Empty : rawPath)),
            new("OmitHost", Value.False),
            new("ForceQuery", Value.From(forceQuery)),
            new("RawQuery", Value.From(query)),
            new("Fragment", Value.From(fragment)),
            new("RawFragment", Value.From(EscapePath(fragment) == rawFragment ? string.Empty : rawFragment)),
        });
    }

    private static string Unescape(string s)
    {
        try
        {
            return s.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(s) : s;
        }
        catch (UriFormatException)
        {
            return s;
        }
    }

    /// <summary>Go's escaping of a URL path: unreserved characters and $&amp;+,/:;=@ stay, the rest is %XX.</summary>
    private static string EscapePath(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-_.~$&+,/:;=@".Contains(c, StringComparison.Ordinal)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's PublicKeyAlgorithm number and the JSON of the parsed public key.</summary>
    private static (int Algorithm, Value Key) PublicKeyJson(byte[] spki)
    {
        var (oid, key) = KeyReader.ReadSpki(spki);
        switch (oid)
        {
            case KeyReader.OidRsa:
                {
                    var reader = new AsnReader(key, AsnEncodingRules.DER).ReadSequence();
                    var n = reader.ReadInteger();
                    var e = reader.ReadInteger();
                    return (1, ObjectValue.Create(new KeyValuePair<string, Value>[] { new("N", Big(n)), new("E", Big(e)) }));
                }

            case KeyReader.OidEc:
                {
                    if (key.Length < 1 || key[0] != 4 || key.Length % 2 != 1)
                    {
                        return (3, Value.Null);
                    }

                    var size = (key.Length - 1) / 2;
                    var x = new BigInteger(key.AsSpan(1, size), isUnsigned: true, isBigEndian: true);
                    var y = new BigInteger(key.AsSpan(1 + size, size), isUnsigned: true, isBigEndian: true);
                    return (3, ObjectValue.Create(new KeyValuePair<string, Value>[] { new("Curve", ObjectValue.Empty), new("X", Big(x)), new("Y", Big(y)) }));
                }

            case KeyReader.OidEd25519:
                return (4, Bytes(key));
            case "1.2.840.10040.4.1":
                return (2, Value.Null);
            default:
                return (0, Value.Null);
        }
    }
}
