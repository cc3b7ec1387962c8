using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vigil.Server.Configuration;

namespace Vigil.Server.Tls;

/// <summary>
/// The certificate the https listeners present, replaced without a restart when its files change (ACME renewals).
/// Every <see cref="CheckInterval"/> the configured files are read and fingerprinted; when they changed, the new
/// certificate is loaded and used for new connections (open connections keep theirs). A file that does not load keeps
/// the previous certificate and is logged, like a failed configuration reload. A certificate close to expiry is
/// logged as a warning once a day.
/// </summary>
internal sealed partial class ServerCertificateStore : IHostedService, IDisposable
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    private readonly TlsConfig? _tls;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerCertificateStore> _logger;
    private volatile Loaded _current;
    private ITimer? _timer;
    private DateTimeOffset _lastExpiryWarning = DateTimeOffset.MinValue;

    private sealed record Loaded(LoadedCertificate Certificate, SslStreamCertificateContext Context);

    /// <param name="initial">The certificate loaded at start-up.</param>
    /// <param name="tls">The configured files; null when the certificate is the generated development one (never reloaded).</param>
    /// <param name="time">Drives the periodic check.</param>
    /// <param name="logger">Reloads, failed reloads and expiry warnings.</param>
    public ServerCertificateStore(LoadedCertificate initial, TlsConfig? tls, TimeProvider time, ILogger<ServerCertificateStore> logger)
    {
        _tls = tls;
        _time = time;
        _logger = logger;
        _current = Create(initial);
    }

    /// <summary>The certificate presented to new connections.</summary>
    public X509Certificate2 Certificate => _current.Certificate.Leaf;

    /// <summary>The certificate with its intermediates, as handed to each TLS handshake.</summary>
    public SslStreamCertificateContext Context => _current.Context;

    /// <summary>Raised after each check of the files: true when a new certificate was taken, false when none was (tests).</summary>
    public event Action<bool>? Checked;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        WarnIfExpiring(_current.Certificate);
        if (_tls?.Certificate is not null)
        {
            _timer = _time.CreateTimer(static s => ((ServerCertificateStore)s!).Check(), this, CheckInterval, CheckInterval);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Loads the files again if their content changed; returns whether a new certificate is now in use.</summary>
    public bool Check()
    {
        var taken = false;
        try
        {
            if (_tls is null || ServerCertificate.Fingerprint(_tls).AsSpan().SequenceEqual(_current.Certificate.Fingerprint))
            {
                WarnIfExpiring(_current.Certificate);
                return false;
            }

            var loaded = ServerCertificate.Load(_tls);
            _current = Create(loaded);
            taken = true;
            LogReloaded(_logger, loaded.Describe());
            WarnIfExpiring(loaded);
            return true;
        }
        catch (Exception ex) when (ex is ServerCertificateException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            LogReloadFailed(_logger, ex.Message, _current.Certificate.Describe());
            return false;
        }
        finally
        {
            Checked?.Invoke(taken);
        }
    }

    private static Loaded Create(LoadedCertificate certificate) =>
        new(certificate, SslStreamCertificateContext.Create(certificate.Leaf, certificate.Intermediates, offline: true));

    private void WarnIfExpiring(LoadedCertificate certificate)
    {
        var now = _time.GetUtcNow();
        var left = new DateTimeOffset(certificate.Leaf.NotAfter.ToUniversalTime()) - now;
        if (left < ExpiryWarning && now - _lastExpiryWarning > TimeSpan.FromDays(1))
        {
            _lastExpiryWarning = now;
            if (left <= TimeSpan.Zero)
            {
                LogExpired(_logger, certificate.Describe());
            }
            else
            {
                LogExpiring(_logger, certificate.Describe(), (int)left.TotalDays);
            }
        }
    }

    public void Dispose() => _timer?.Dispose();

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "TLS certificate reloaded: {Certificate}")]
    private static partial void LogReloaded(ILogger logger, string certificate);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "TLS certificate files changed but do not load ({Reason}); still serving {Current}")]
    private static partial void LogReloadFailed(ILogger logger, string reason, string current);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "TLS certificate expires in {Days} day(s): {Certificate}")]
    private static partial void LogExpiring(ILogger logger, string certificate, int days);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "TLS certificate has expired: {Certificate}")]
    private static partial void LogExpired(ILogger logger, string certificate);
}
