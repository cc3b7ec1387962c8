using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Vigil.Server.Identity;

/// <summary>The built-in provider's persistent keys (RSA signing key, AES key for codes), created on first start.</summary>
internal static class IdpKeys
{
    public static RsaSecurityKey LoadSigningKey(string dataDir)
    {
        var path = Path.Combine(dataDir, "idp-signing.pem");
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            rsa.KeySize = 2048;
            WriteSecret(path, rsa.ExportPkcs8PrivateKeyPem());
        }

        var parameters = rsa.ExportParameters(false);
        return new RsaSecurityKey(rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(parameters.Modulus!))[..16] };
    }

    public static SymmetricSecurityKey LoadEncryptionKey(string dataDir)
    {
        var path = Path.Combine(dataDir, "idp-encryption.key");
        byte[] key;
        if (File.Exists(path))
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        else
        {
            key = RandomNumberGenerator.GetBytes(32);
            WriteSecret(path, Convert.ToBase64String(key));
        }

        return new SymmetricSecurityKey(key);
    }

    /// <summary>The gateway's own client secret at the built-in provider (random, kept in the data folder).</summary>
    public static string LoadGatewaySecret(string dataDir)
    {
        var path = Path.Combine(dataDir, "gateway-client.secret");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        WriteSecret(path, secret);
        return secret;
    }

    internal static void WriteSecret(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
