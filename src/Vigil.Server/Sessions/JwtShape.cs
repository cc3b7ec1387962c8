using System.Buffers.Text;
using System.Text.Json;

namespace Vigil.Server.Sessions;

/// <summary>
/// Checks what the token library leaves to the caller, before any signature or key work: a compact JWS of three parts;
/// a header and payload that are JSON objects without duplicate member names (RFC 7515 4 and RFC 7519 4: a parser that
/// kept the first of two <c>exp</c> members would disagree with one that keeps the last); no <c>crit</c> header (RFC 7515
/// 4.1.11: Vigil understands no extension, so a token that marks any as critical must be refused); and <c>exp</c>,
/// <c>nbf</c>, <c>iat</c> that are JSON numbers (RFC 7519 2, NumericDate), never strings.
/// </summary>
internal static class JwtShape
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <summary>Why the token is refused, or null when its shape is acceptable.</summary>
    public static string? Check(string token)
    {
        var parts = token.AsSpan();
        Span<Range> ranges = stackalloc Range[4];
        if (parts.Split(ranges, '.') != 3)
        {
            return "malformed_token";
        }

        using var header = Parse(parts[ranges[0]]);
        if (header is null)
        {
            return "malformed_token";
        }

        if (header.RootElement.TryGetProperty("crit", out _))
        {
            return "unsupported_critical_header";
        }

        using var payload = Parse(parts[ranges[1]]);
        if (payload is null)
        {
            return "malformed_token";
        }

        foreach (var claim in (ReadOnlySpan<string>)["exp", "nbf", "iat"])
        {
            if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind != JsonValueKind.Number)
            {
                return "invalid_numeric_date";
            }
        }

        return null;
    }

    private static JsonDocument? Parse(ReadOnlySpan<char> part)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (!Base64Url.TryDecodeFromChars(part, bytes, out var written))
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(bytes.AsMemory(0, written), Strict);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
