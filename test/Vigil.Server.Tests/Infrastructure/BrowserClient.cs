using System.Net;
using System.Text.RegularExpressions;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>An HTTP client that behaves like a browser for the login flow: cookies, redirects, forms, Accept: text/html.</summary>
public sealed partial class BrowserClient : IDisposable
{
    private readonly HttpClient _client;

    public BrowserClient(Uri baseUrl, bool followRedirects = true)
    {
        Cookies = new CookieContainer();
        _client = new HttpClient(new SocketsHttpHandler { CookieContainer = Cookies, AllowAutoRedirect = followRedirects, MaxAutomaticRedirections = 20, UseProxy = false })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
    }

    public CookieContainer Cookies { get; }

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
