using System.Text;

namespace Vigil.Server.Gateway;

/// <summary>
/// The decoding Kestrel is told to use for the Content-Length field (through
/// <c>KestrelServerOptions.RequestHeaderEncodingSelector</c>), because it is the one place that still sees the field's
/// raw bytes: Kestrel's own parser reads them with <c>Utf8Parser</c>, which takes a sign, so <c>Content-Length: +167</c>
/// passed for 167 (RFC 9112 6.2 allows digits only). Every byte that is not a digit decodes to <c>x</c>, which Kestrel
/// then refuses with 400 before the request reaches Vigil; digits decode to themselves.
/// </summary>
internal sealed class ContentLengthEncoding : Encoding
{
    public static readonly ContentLengthEncoding Instance = new();

    /// <summary>Kestrel's selector: this encoding for Content-Length, the default (null) for every other field.</summary>
    public static Encoding? Select(string name) => name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ? Instance : null;

    public override int GetByteCount(char[] chars, int index, int count) => count;

    public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
    {
        for (var i = 0; i < charCount; i++)
        {
            bytes[byteIndex + i] = (byte)chars[charIndex + i];
        }

        return charCount;
    }

    public override int GetCharCount(byte[] bytes, int index, int count) => count;

    public override int GetCharCount(ReadOnlySpan<byte> bytes) => bytes.Length;

    public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex) =>
        GetChars(bytes.AsSpan(byteIndex, byteCount), chars.AsSpan(charIndex));

    public override int GetChars(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= (byte)'0' and <= (byte)'9' ? (char)bytes[i] : 'x';
        }

        return bytes.Length;
    }

    public override string GetString(byte[] bytes, int index, int count) => GetString(bytes.AsSpan(index, count));

    public new string GetString(ReadOnlySpan<byte> bytes) => string.Create(bytes.Length, bytes.ToArray(), static (chars, raw) => Instance.GetChars(raw, chars));

    public override int GetMaxByteCount(int charCount) => charCount;

    public override int GetMaxCharCount(int byteCount) => byteCount;
}
