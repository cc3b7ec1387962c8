using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Vigil.Cli.Tests.Infrastructure;

namespace Vigil.Cli.Tests.Serve;

/// <summary>
/// <c>vigil serve</c> with an https listener, started under an OpenSSL configuration that allows TLS 1.0 and every
/// cipher suite (OpenSSL reads <c>OPENSSL_CONF</c> at process start, hence a child process): Vigil still refuses
/// TLS 1.0, TLS 1.1 and CBC suites, and serves HTTP/2 over TLS 1.2 AEAD suites and TLS 1.3. <c>openssl s_client</c>
/// runs under the same configuration, so it does offer what is refused.
/// </summary>
public sealed partial class TlsFloorTests(TlsFloorTests.PermissiveServer server) : IClassFixture<TlsFloorTests.PermissiveServer>
{
    /// <summary>One <c>vigil serve</c> for the class, listening on a port the system chose.</summary>
    public sealed class PermissiveServer : IAsyncLifetime
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("vigil-tls-floor-").FullName;
        private ServeProcess? _serve;

        public string OpenSslConf => Path.Combine(_dir, "permissive.cnf");

        public int Port => _serve!.Address.Port;

        public async Task InitializeAsync()
        {
            File.WriteAllText(OpenSslConf, """
                openssl_conf = openssl_init
                [openssl_init]
                ssl_conf = ssl_sect
                [ssl_sect]
                system_default = system_default_sect
                [system_default_sect]
                MinProtocol = TLSv1
                CipherString = DEFAULT@SECLEVEL=0
                """);
            var config = Path.Combine(_dir, "vigil.yaml");
            File.WriteAllText(config, """
                version: 1
                server: { listen: ["https://127.0.0.1:0"], data_dir: ./data }
                """);
            _serve = await VigilCli.StartServeAsync(config, new Dictionary<string, string> { ["OPENSSL_CONF"] = OpenSslConf });
        }

        public async Task DisposeAsync()
        {
            if (_serve is not null)
            {
                await _serve.DisposeAsync();
            }

            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed record Handshake(int Exit, string? Protocol, string? Cipher, string? Alpn, string Output)
    {
        public bool Succeeded => Exit == 0 && Cipher is not null && Cipher != "(NONE)";
    }

    private async Task<Handshake> SClientAsync(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in (string[])["s_client", "-connect", $"127.0.0.1:{server.Port}", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OPENSSL_CONF"] = server.OpenSslConf;
        using var process = Process.Start(start)!;
        process.StandardInput.Close(); // no request: s_client ends after the handshake
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var output = await stdout + await stderr;
        var session = SessionLine().Match(output);
        var alpn = AlpnLine().Match(output);
        return new Handshake(process.ExitCode, session.Success ? session.Groups[1].Value : null, session.Success ? session.Groups[2].Value : null,
            alpn.Success ? alpn.Groups[1].Value : null, output);
    }

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task OldProtocol_OfferedByTheClient_IsRefusedByTheServer(string version)
    {
        var result = await SClientAsync(version);
        Assert.False(result.Succeeded, result.Output);

        // The server's alert, not a client that could not offer the version: the configuration let the client try.
        Assert.Contains("alert protocol version", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-SHA")]
    [InlineData("ECDHE-ECDSA-AES256-SHA")]
    [InlineData("ECDHE-ECDSA-AES128-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-SHA384")]
    public async Task CbcSuite_WithTls12_IsRefused(string cipher)
    {
        var result = await SClientAsync("-tls1_2", "-cipher", cipher, "-alpn", "h2,http/1.1");
        Assert.False(result.Succeeded, result.Output);
        Assert.Contains("alert handshake failure", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ECDHE-ECDSA-AES128-GCM-SHA256")]
    [InlineData("ECDHE-ECDSA-AES256-GCM-SHA384")]
    [InlineData("ECDHE-ECDSA-CHACHA20-POLY1305")]
    public async Task AeadSuite_WithTls12_NegotiatesHttp2(string cipher)
    {
        var result = await SClientAsync("-tls1_2", "-cipher", cipher, "-alpn", "h2,http/1.1");
        Assert.True(result.Succeeded, result.Output);
        Assert.Equal(("TLSv1.2", cipher, "h2"), (result.Protocol, result.Cipher, result.Alpn));
    }

    [Fact]
    public async Task Tls13_NegotiatesHttp2()
    {
        var result = await SClientAsync("-tls1_3", "-alpn", "h2,http/1.1");
        Assert.True(result.Succeeded, result.Output);
        Assert.Equal("TLSv1.3", result.Protocol);
        Assert.Equal("h2", result.Alpn);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Http2Request_OverTheAllowedProtocols_IsServed(SslProtocols protocol)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions =
            {
                EnabledSslProtocols = protocol,
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // the generated development certificate; the handshake is under test
            },
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.GetAsync($"https://127.0.0.1:{server.Port}/.vigil/health").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    // "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256": the version is the suite's own, which for the AEAD and TLS 1.3
    // suites is the one negotiated (the session block with the protocol is not printed when TLS 1.3 ends this early).
    [GeneratedRegex(@"^New, (\S+), Cipher is (\S+)$", RegexOptions.Multiline)]
    private static partial Regex SessionLine();

    [GeneratedRegex(@"^ALPN protocol: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex AlpnLine();
}
