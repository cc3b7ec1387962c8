namespace Vigil.Server.Configuration;

/// <summary>A PKCS#12 certificate file and its password.</summary>
public sealed record TlsConfig(string? Certificate, string? Password);
