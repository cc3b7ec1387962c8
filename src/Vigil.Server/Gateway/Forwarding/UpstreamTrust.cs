using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Server.Gateway.Forwarding;

/// <summary>
/// The CA certificates a route's https upstreams must chain to (<c>upstream_ca</c>), replacing the system's trust
/// store for those connections. Host names are still checked against the certificate.
/// </summary>
internal static class UpstreamTrust
{
    /// <summary>Loads a PEM bundle; returns the certificates, or an error message saying what is wrong with the file.</summary>
    public static (X509Certificate2Collection? Roots, string? Error) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (null, $"CA file '{path}' does not exist");
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (null, $"CA file '{path}' could not be read as PEM certificates: {ex.Message}");
        }

        return roots.Count == 0 ? (null, $"CA file '{path}' holds no PEM certificate") : (roots, null);
    }

    /// <summary>A chain policy that trusts exactly <paramref name="roots"/> (no revocation check: private CAs rarely publish one).</summary>
    public static X509ChainPolicy ChainPolicy(X509Certificate2Collection roots)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(roots);
        return policy;
    }
}
