using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Vigil.Server.Identity;

/// <summary>
/// Minimal server-rendered pages of the built-in provider. Every form carries an antiforgery token. The only script
/// is the provider's own <c>/.vigil/idp/webauthn.js</c>; the Content-Security-Policy allows no other script, no
/// inline script and no framing.
/// </summary>
internal static class Pages
{
    public const string WebAuthnScriptPath = "/.vigil/idp/webauthn.js";

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#222}" +
        "label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}" +
        "button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}.muted{color:#666;font-size:.9rem}" +
        "code{background:#f3f3f3;padding:.1rem .3rem}h2{font-size:1.1rem;margin-top:2rem}ul.keys{padding-left:1.2rem}" +
        "ul.keys form{display:inline}ul.keys button{margin:0 0 0 .5rem;padding:.1rem .5rem;font-size:.85rem}hr{margin:2rem 0}";

    /// <summary>
    /// Scripts only from this origin (never inline), fetch only to it, images only inline (the TOTP QR code), the one
    /// style block by hash, no plugins, no base-URI tricks, no framing.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:; " +
        $"style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Html(string title, string body, int status = 200, bool webAuthnScript = false) => new HtmlPage($$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{{E(title)}} · Vigil</title>
        <style>{{Style}}</style>{{(webAuthnScript ? $"<script src=\"{WebAuthnScriptPath}\" defer></script>" : "")}}</head>
        <body><h1>{{E(title)}}</h1>{{body}}</body></html>
        """, status);

    public static string Hidden(string name, string? value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";

    /// <summary>Applies the provider pages' security headers (also used for the script and JSON answers).</summary>
    public static void SecurityHeaders(HttpResponse response)
    {
        if (response.HttpContext.Request.IsHttps)
        {
            // Sign-in pages are only ever reached over https once they have been: no downgrade to plain http (a year;
            // the application hosts behind the gateway are left to set their own).
            response.Headers.StrictTransportSecurity = "max-age=31536000";
        }

        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "same-origin";
    }

    private sealed class HtmlPage(string html, int status) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            SecurityHeaders(httpContext.Response);
            return httpContext.Response.WriteAsync(html, Encoding.UTF8, httpContext.RequestAborted);
        }
    }
}
