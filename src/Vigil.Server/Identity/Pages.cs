using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Vigil.Server.Identity;

/// <summary>Minimal server-rendered pages of the built-in provider (no scripts; every form carries an antiforgery token).</summary>
internal static class Pages
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Html(string title, string body, int status = 200) => Results.Content($$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{{E(title)}} · Vigil</title>
        <style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#222}
        label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
        button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}.error{color:#a00}.muted{color:#666;font-size:.9rem}
        code{background:#f3f3f3;padding:.1rem .3rem}</style></head>
        <body><h1>{{E(title)}}</h1>{{body}}</body></html>
        """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static string Hidden(string name, string? value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";
}
