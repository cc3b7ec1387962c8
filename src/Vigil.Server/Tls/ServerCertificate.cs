using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Vigil.Server.Configuration;

namespace Vigil.Server.Tls;

/// <summary>A certificate that cannot be used for the listeners; the message says why, for the configuration error.</summary>
public sealed class ServerCertificateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A loaded listener certificate: the leaf with its private key and the intermediates sent with it.</summary>
internal sealed record LoadedCertificate(X509Certificate2 Leaf, X509Certificate2Collection Intermediates, byte[] Fingerprint)
{
    public string Describe() =>
        $"{Leaf.Subject} (thumbprint {Leaf.Thumbprint}, valid until {Leaf.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC, {Intermediates.Count} intermediate(s))";
}

/// <summary>
/// Loads listener certificates from PKCS#12 (<c>.pfx</c>/<c>.p12</c>) or PEM files. PEM is what ACME clients write
/// (<c>fullchain.pem</c> + <c>privkey.pem</c>): the first certificate is the leaf, the others are intermediates and are
/// sent in the handshake, so clients that only trust the root can build the chain.
/// </summary>
internal static class ServerCertificate
{
    public static LoadedCertificate Load(TlsConfig tls)
    {
        var path = tls.Certificate ?? throw new ServerCertificateException("no certificate file configured");
        byte[] bytes;
        byte[] keyBytes = [];
        try
        {
            bytes = File.ReadAllBytes(path);
            if (tls.Key is not null)
            {
                keyBytes = File.ReadAllBytes(tls.Key);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServerCertificateException($"cannot read {(ex is FileNotFoundException f ? f.FileName : "the certificate or key file")}: {ex.Message}", ex);
        }

        var fingerprint = Hash(bytes, keyBytes);
        return IsPem(bytes) ? LoadPem(bytes, keyBytes, tls.Key is not null, fingerprint) : LoadPkcs12(bytes, tls, fingerprint);
    }

    /// <summary>A fingerprint of the files' current content (cheap to compare: a reload only happens when it changes).</summary>
    public static byte[] Fingerprint(TlsConfig tls) =>
        Hash(File.ReadAllBytes(tls.Certificate!), tls.Key is null ? [] : File.ReadAllBytes(tls.Key));

    private static byte[] Hash(byte[] certificate, byte[] key) => SHA256.HashData([.. certificate, .. key]);

    private static bool IsPem(byte[] bytes) => Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 4096)).Contains("-----BEGIN ", StringComparison.Ordinal);

    private static LoadedCertificate LoadPem(byte[] bytes, byte[] keyBytes, bool separateKey, byte[] fingerprint)
    {
        var text = Encoding.ASCII.GetString(bytes);
        var keyText = separateKey ? Encoding.ASCII.GetString(keyBytes) : text;
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(text);
        }
        catch (CryptographicException ex)
        {
            throw new ServerCertificateException($"the PEM certificate file is malformed: {ex.Message}", ex);
        }

        if (chain.Count == 0)
        {
            throw new ServerCertificateException("the PEM file holds no certificate");
        }

        X509Certificate2 leaf;
        try
        {
            using var withKey = X509Certificate2.CreateFromPem(PemBlock(text, "CERTIFICATE"), keyText);
            // An ephemeral PEM key works for SslStream on Linux; exporting and re-importing keeps it usable everywhere.
            leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // CreateFromPem throws ArgumentException for a key of another certificate, CryptographicException otherwise.
            throw new ServerCertificateException(separateKey
                ? $"the private key does not load or does not belong to the certificate: {ex.Message}"
                : "no private key for the certificate: give it as server.tls.key, or append it to the certificate file", ex);
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        return Check(new LoadedCertificate(leaf, intermediates, fingerprint));
    }

    private static LoadedCertificate LoadPkcs12(byte[] bytes, TlsConfig tls, byte[] fingerprint)
    {
        if (tls.Key is not null)
        {
            throw new ServerCertificateException("server.tls.key is for PEM certificates; a PKCS#12 file carries its own key");
        }

        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(bytes, tls.Password);
        }
        catch (CryptographicException ex)
        {
            throw new ServerCertificateException($"the PKCS#12 file does not load (wrong password, or not a certificate file): {ex.Message}", ex);
        }

        var leaf = all.FirstOrDefault(c => c.HasPrivateKey) ?? throw new ServerCertificateException("the PKCS#12 file holds no certificate with a private key");
        var intermediates = new X509Certificate2Collection();
        foreach (var c in all)
        {
            if (!ReferenceEquals(c, leaf))
            {
                intermediates.Add(c);
            }
        }

        return Check(new LoadedCertificate(leaf, intermediates, fingerprint));
    }

    private static LoadedCertificate Check(LoadedCertificate loaded)
    {
        if (!loaded.Leaf.HasPrivateKey)
        {
            throw new ServerCertificateException("the certificate has no private key");
        }

        return loaded;
    }

    /// <summary>The first PEM block of the given label (the leaf of a chain file).</summary>
    private static string PemBlock(string text, string label)
    {
        var begin = $"-----BEGIN {label}-----";
        var end = $"-----END {label}-----";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = start < 0 ? -1 : text.IndexOf(end, start, StringComparison.Ordinal);
        if (start < 0 || stop < 0)
        {
            throw new ServerCertificateException($"the file holds no {label} block");
        }

        return text[start..(stop + end.Length)];
    }
}
