using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>
/// A software FIDO2 authenticator (ES256 key, "none" attestation) that produces exactly what a browser posts after
/// <c>navigator.credentials.create/get</c>, so protocol attacks (wrong origin, replayed challenge, unknown credential,
/// counter regression) can be sent to a real Vigil. Vigil verifies them with the Fido2 library.
/// </summary>
public sealed class SoftAuthenticator : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    public string Id => Base64Url.EncodeToString(CredentialId);

    /// <summary>The signature counter; each assertion increments it first.</summary>
    public uint Counter { get; set; }

    public byte[]? UserHandle { get; private set; }

    /// <summary>Answers creation options (the JSON Vigil sent) as the browser would.</summary>
    public string Register(string optionsJson, string origin, bool userVerified = true)
    {
        using var doc = JsonDocument.Parse(optionsJson);
        var root = doc.RootElement;
        var rpId = root.GetProperty("rp").GetProperty("id").GetString()!;
        UserHandle = Base64Url.DecodeFromChars(root.GetProperty("user").GetProperty("id").GetString());
        var clientData = ClientData("webauthn.create", root.GetProperty("challenge").GetString()!, origin);
        var authData = AuthenticatorData(rpId, userVerified, attested: true);
        var cbor = new CborWriter();
        cbor.WriteStartMap(3);
        cbor.WriteTextString("fmt");
        cbor.WriteTextString("none");
        cbor.WriteTextString("attStmt");
        cbor.WriteStartMap(0);
        cbor.WriteEndMap();
        cbor.WriteTextString("authData");
        cbor.WriteByteString(authData);
        cbor.WriteEndMap();
        return JsonSerializer.Serialize(new
        {
            id = Id,
            rawId = Id,
            type = "public-key",
            response = new { attestationObject = Base64Url.EncodeToString(cbor.Encode()), clientDataJSON = Base64Url.EncodeToString(clientData), transports = new[] { "usb" } },
            clientExtensionResults = new { },
        });
    }

    /// <summary>Answers request options; <paramref name="origin"/> and <paramref name="rpId"/> can be forged.</summary>
    public string Assert(string optionsJson, string origin, bool userVerified = true, string? rpId = null)
    {
        using var doc = JsonDocument.Parse(optionsJson);
        var root = doc.RootElement;
        rpId ??= root.GetProperty("rpId").GetString()!;
        var clientData = ClientData("webauthn.get", root.GetProperty("challenge").GetString()!, origin);
        Counter++;
        var authData = AuthenticatorData(rpId, userVerified, attested: false);
        var signature = _key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return JsonSerializer.Serialize(new
        {
            id = Id,
            rawId = Id,
            type = "public-key",
            response = new
            {
                authenticatorData = Base64Url.EncodeToString(authData),
                clientDataJSON = Base64Url.EncodeToString(clientData),
                signature = Base64Url.EncodeToString(signature),
                userHandle = UserHandle is null ? null : Base64Url.EncodeToString(UserHandle),
            },
            clientExtensionResults = new { },
        });
    }

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin, crossOrigin = false }));

    private byte[] AuthenticatorData(string rpId, bool userVerified, bool attested)
    {
        var data = new List<byte>();
        data.AddRange(SHA256.HashData(Encoding.UTF8.GetBytes(rpId)));
        data.Add((byte)(0x01 | (userVerified ? 0x04 : 0) | (attested ? 0x40 : 0)));
        data.AddRange([(byte)(Counter >> 24), (byte)(Counter >> 16), (byte)(Counter >> 8), (byte)Counter]);
        if (attested)
        {
            data.AddRange(new byte[16]); // AAGUID: none
            data.AddRange([(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length]);
            data.AddRange(CredentialId);
            var p = _key.ExportParameters(false);
            var cose = new CborWriter();
            cose.WriteStartMap(5);
            cose.WriteInt32(1);
            cose.WriteInt32(2); // kty: EC2
            cose.WriteInt32(3);
            cose.WriteInt32(-7); // alg: ES256
            cose.WriteInt32(-1);
            cose.WriteInt32(1); // crv: P-256
            cose.WriteInt32(-2);
            cose.WriteByteString(p.Q.X!);
            cose.WriteInt32(-3);
            cose.WriteByteString(p.Q.Y!);
            cose.WriteEndMap();
            data.AddRange(cose.Encode());
        }

        return [.. data];
    }

    public void Dispose() => _key.Dispose();
}
