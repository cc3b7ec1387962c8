namespace Vigil.Server.Configuration;

/// <summary>
/// The listeners' certificate: a PKCS#12 file (with its password), or a PEM certificate chain (leaf first, then
/// intermediates) with its private key in <see cref="Key"/> or in the same file.
/// </summary>
public sealed record TlsConfig(string? Certificate, string? Password, string? Key = null);
