using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Vigil.Server.Sessions;

/// <summary>What a revocation bus message announces.</summary>
internal enum RevocationMessageKind
{
    /// <summary>One session id is revoked until <see cref="RevocationMessage.Expires"/>.</summary>
    Session,

    /// <summary>Every session of a user authenticated at or before <see cref="RevocationMessage.At"/> is revoked.</summary>
    User,

    /// <summary>A node checking that its own subscription delivers (ignored by the others).</summary>
    Probe,
}

/// <summary>
/// One message on the revocation bus: small, versioned JSON such as
/// <c>{"v":1,"type":"session","id":"…","at":1767225600,"expires":1767830400}</c> or
/// <c>{"v":1,"type":"user","id":"…","at":1767225600}</c>. A message can only add a revocation: there is no kind that
/// lifts one, and a receiver keeps the stronger of what it knows and what a message says. Anything that is not exactly
/// this shape is refused by <see cref="TryParse"/>.
/// </summary>
internal sealed record RevocationMessage(RevocationMessageKind Kind, string Id, long At, long? Expires)
{
    /// <summary>The only version this node writes and reads.</summary>
    public const int Version = 1;

    /// <summary>Largest message accepted; real ones are about 120 bytes.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Longest id (session id, user subject or node id).</summary>
    public const int MaxIdLength = 256;

    public static RevocationMessage ForSession(string sessionId, long at, long expires) => new(RevocationMessageKind.Session, sessionId, at, expires);

    public static RevocationMessage ForUser(string userId, long at) => new(RevocationMessageKind.User, userId, at, null);

    public static RevocationMessage ForProbe(string nodeId, long at) => new(RevocationMessageKind.Probe, nodeId, at, null);

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("type", Kind switch
            {
                RevocationMessageKind.Session => "session",
                RevocationMessageKind.User => "user",
                _ => "probe",
            });
            json.WriteString("id", Id);
            json.WriteNumber("at", At);
            if (Expires is { } expires)
            {
                json.WriteNumber("expires", expires);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a message; null with a short reason (never the payload) when it is not a well-formed version-1 message:
    /// too large, not one flat JSON object, a duplicate or missing field, an unknown type or version, an id with control
    /// characters, a time out of range.
    /// </summary>
    public static RevocationMessage? TryParse(ReadOnlySpan<byte> utf8, out string reason)
    {
        if (utf8.Length > MaxBytes)
        {
            reason = $"larger than {MaxBytes} bytes";
            return null;
        }

        int? version = null;
        string? type = null, id = null;
        long? at = null, expires = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "not a JSON object";
                return null;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    reason = $"field '{Printable(name)}' appears twice";
                    return null;
                }

                if (!reader.Read())
                {
                    break;
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reason = $"field '{Printable(name)}' is not a single value";
                    return null;
                }

                switch (name)
                {
                    case "v":
                        version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : -1;
                        break;
                    case "type":
                        type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "id":
                        id = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "at":
                        at = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var a) ? a : -1;
                        break;
                    case "expires":
                        expires = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var e) ? e : -1;
                        break;
                    default:
                        // Later versions may add fields; a version-1 reader ignores what it does not know.
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                reason = "not one JSON object";
                return null;
            }
        }
        catch (JsonException)
        {
            reason = "not valid JSON";
            return null;
        }
        catch (InvalidOperationException)
        {
            reason = "not valid JSON";
            return null;
        }

        if (version != Version)
        {
            reason = version is null ? "no version" : $"version {version} is not {Version}";
            return null;
        }

        var kind = type switch
        {
            "session" => RevocationMessageKind.Session,
            "user" => RevocationMessageKind.User,
            "probe" => RevocationMessageKind.Probe,
            _ => (RevocationMessageKind?)null,
        };
        if (kind is null)
        {
            reason = type is null ? "no type" : $"unknown type '{Printable(type)}'";
            return null;
        }

        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id.Any(char.IsControl))
        {
            reason = "id missing, longer than 256 characters or with control characters";
            return null;
        }

        // Unix seconds from 2001 to 2286: anything else is a mistake or an attack, not a clock.
        const long min = 1_000_000_000, max = 9_999_999_999;
        if (at is not (>= min and <= max))
        {
            reason = "'at' missing or not a plausible Unix time";
            return null;
        }

        if (kind == RevocationMessageKind.Session && expires is not (>= min and <= max))
        {
            reason = "'expires' missing or not a plausible Unix time";
            return null;
        }

        reason = "";
        return new RevocationMessage(kind.Value, id, at.Value, kind == RevocationMessageKind.Session ? expires : null);
    }

    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 40));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, 40)))
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
