using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>An HTTP client that behaves like a browser for the login flow: cookies, redirects, forms, Accept: text/html.</summary>
public sealed partial class BrowserClient : IDisposable
{
    private readonly HttpClient _client;

    /// <param name="baseUrl">Where relative requests go.</param>
    /// <param name="followRedirects">Whether redirects are followed, as a browser does.</param>
    /// <param name="trustedRoots">Over https: the only roots server certificates may chain to (a self-signed one trusts itself); null: the system's.</param>
    public BrowserClient(Uri baseUrl, bool followRedirects = true, X509Certificate2Collection? trustedRoots = null)
    {
        Cookies = new CookieContainer();
        _client = new HttpClient(Trusting(new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = followRedirects, MaxAutomaticRedirections = 20, UseProxy = false }, trustedRoots))
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
    }

    public CookieContainer Cookies { get; }

    /// <summary>Makes <paramref name="handler"/> validate server certificates against <paramref name="roots"/> only (when given); names are still checked.</summary>
    public static SocketsHttpHandler Trusting(SocketsHttpHandler handler, X509Certificate2Collection? roots)
    {
        if (roots is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions.CertificateChainPolicy = policy;
        }

        return handler;
    }

    public HttpClient Http => _client;

    public sealed record Page(HttpStatusCode Status, Uri Url, string Html)
    {
        public string? Field(string name)
        {
            var match = Regex.Match(Html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
            return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
        }

        public bool IsLoginPage => Url.AbsolutePath == "/.vigil/idp/login";
        public bool IsMfaPage => Url.AbsolutePath == "/.vigil/idp/mfa";
    }

    public async Task<Page> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path).ConfigureAwait(false);
        return new Page(response.StatusCode, response.RequestMessage!.RequestUri!, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    public async Task<Page> SubmitAsync(Page form, string action, Dictionary<string, string> fields)
    {
        var values = new Dictionary<string, string>(fields);
        if (form.Field("__vigil_csrf") is { } csrf)
        {
            values.TryAdd("__vigil_csrf", csrf);
        }

        if (form.Field("returnUrl") is { } returnUrl && returnUrl.Length > 0)
        {
            values.TryAdd("returnUrl", returnUrl);
        }

        using var response = await _client.PostAsync(new Uri(form.Url, action), new FormUrlEncodedContent(values)).ConfigureAwait(false);
        return new Page(response.StatusCode, response.RequestMessage!.RequestUri!, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    /// <summary>Opens <paramref name="path"/>, signs in (password, then TOTP when asked) and returns the page reached.</summary>
    public async Task<Page> LoginAsync(string path, string user, string password, Func<string>? totp = null)
    {
        var page = await GetAsync(path).ConfigureAwait(false);
        Assert.True(page.IsLoginPage, $"expected the login page, got {page.Status} {page.Url}");
        page = await SubmitAsync(page, "/.vigil/idp/login", new() { ["username"] = user, ["password"] = password }).ConfigureAwait(false);
        if (page.IsMfaPage && totp is not null)
        {
            page = await SubmitAsync(page, "/.vigil/idp/mfa", new() { ["code"] = totp() }).ConfigureAwait(false);
        }

        return page;
    }

    public string? CookieValue(Uri baseUrl, string name, string path = "/") =>
        Cookies.GetCookies(new Uri(baseUrl, path)).FirstOrDefault(c => c.Name == name)?.Value;

    public void Dispose() => _client.Dispose();
}
