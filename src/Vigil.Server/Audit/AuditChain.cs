using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Vigil.Server.Audit;

/// <summary>
/// The on-disk format of the decision log: one JSON object per line, fields in a fixed order, ending with
/// <c>seq</c>, <c>prev</c> (hash of the previous line's record) and <c>hash</c> = SHA-256 over the line's bytes up to
/// (not including) <c>,"hash":</c>. Changing, removing or reordering any line breaks the chain at that line.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private static readonly byte[] HashMarker = Encoding.UTF8.GetBytes(",\"hash\":\"");

    /// <summary>
    /// The writer's structure is fixed by <see cref="SealInPlace"/>, so it is not re-validated per call. Values are
    /// escaped as JSON requires (quotes, backslashes, control characters); other characters are written as UTF-8 rather
    /// than as <c>\uXXXX</c>: the log is read by JSON parsers and terminals, never embedded in HTML. Lines written
    /// with either escaping verify alike (the hash covers the bytes as written).
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Field names, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time"), Kind = JsonEncodedText.Encode("kind"),
            RequestId = JsonEncodedText.Encode("request_id"), Subject = JsonEncodedText.Encode("subject"), SubjectType = JsonEncodedText.Encode("subject_type"),
            Session = JsonEncodedText.Encode("session"), Device = JsonEncodedText.Encode("device"), ClientIp = JsonEncodedText.Encode("client_ip"),
            Method = JsonEncodedText.Encode("method"), Host = JsonEncodedText.Encode("host"), Path = JsonEncodedText.Encode("path"),
            Route = JsonEncodedText.Encode("route"), Resource = JsonEncodedText.Encode("resource"), Decision = JsonEncodedText.Encode("decision"),
            Reason = JsonEncodedText.Encode("reason"), Rule = JsonEncodedText.Encode("rule"), LatencyMs = JsonEncodedText.Encode("latency_ms"),
            Seq = JsonEncodedText.Encode("seq"), Prev = JsonEncodedText.Encode("prev");
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>
    /// Serializes and chains one record. The returned line (without newline) lives in a per-thread buffer that the next
    /// call on this thread overwrites, so write it out before sealing the next record.
    /// </summary>
    public static (ReadOnlyMemory<byte> Line, string Hash) SealInPlace(AuditRecord record, long seq, string prev)
    {
        // One buffer and writer per thread, reused: Utf8JsonWriter asks for at least 4 KiB at a time, so fresh ones
        // cost ~6 KB of garbage per record on the gateway's hot path.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(8192);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        {
            writer.WriteStartObject();
            writer.WriteString(Names.Time, record.Time.UtcDateTime);
            writer.WriteString(Names.Kind, record.Kind);
            Opt(writer, Names.RequestId, record.RequestId);
            Opt(writer, Names.Subject, record.Subject);
            Opt(writer, Names.SubjectType, record.SubjectType);
            Opt(writer, Names.Session, record.Session);
            Opt(writer, Names.Device, record.Device);
            Opt(writer, Names.ClientIp, record.ClientIp);
            Opt(writer, Names.Method, record.Method);
            Opt(writer, Names.Host, record.Host);
            Opt(writer, Names.Path, record.Path);
            Opt(writer, Names.Route, record.Route);
            Opt(writer, Names.Resource, record.Resource);
            writer.WriteString(Names.Decision, record.Decision);
            Opt(writer, Names.Reason, record.Reason);
            Opt(writer, Names.Rule, record.Rule);
            if (record.LatencyMs is { } latency)
            {
                writer.WriteNumber(Names.LatencyMs, Math.Round(latency, 4));
            }

            writer.WriteNumber(Names.Seq, seq);
            writer.WriteString(Names.Prev, prev);
            writer.Flush();
        }

        Span<byte> digest = stackalloc byte[32];
        // One hashing context per thread, reset by each use (a one-shot hash creates and frees a native context per record).
        var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(buffer.WrittenSpan);
        sha.GetHashAndReset(digest);
        var hash = Convert.ToHexStringLower(digest);
        buffer.Write(HashMarker);
        var tail = buffer.GetSpan(hash.Length + 2);
        Encoding.ASCII.GetBytes(hash, tail);
        tail[hash.Length] = (byte)'"';
        tail[hash.Length + 1] = (byte)'}';
        buffer.Advance(hash.Length + 2);
        return (buffer.WrittenMemory, hash);
    }

    /// <summary>Seals a record into a new array (tests and tools; the writer uses <see cref="SealInPlace"/>).</summary>
    public static (byte[] Line, string Hash) Seal(AuditRecord record, long seq, string prev)
    {
        var (line, hash) = SealInPlace(record, seq, prev);
        return (line.ToArray(), hash);
    }

    /// <summary>The outcome of <see cref="Verify"/>.</summary>
    public sealed record VerifyResult(bool Ok, long Records, long? FailedLine, string Message);

    /// <summary>Checks the whole chain; names the first line that was altered, removed or reordered.</summary>
    public static VerifyResult Verify(string path)
    {
        var files = ChainFiles(path);
        if (files.Count == 0)
        {
            return new VerifyResult(false, 0, null, $"{path}: no such file");
        }

        var prev = Genesis;
        long expectedSeq = 1;
        long records = 0;
        long lineNo = 0;
        var checkpointSeq = File.Exists(CheckpointPath(path)) && ReadCheckpoint(CheckpointPath(path)) is { } cp ? cp.Seq : -1;
        string? checkpointHash = checkpointSeq == 0 ? Genesis : null;
        // Only the current file can end in a line a crash cut off (rotation renames a file after a whole batch); such
        // a line was never a record anyone relied on, and the checkpoint still catches whole records cut away.
        var current = Path.GetFullPath(path);
        var torn = files[^1] == current ? TornTailLength(current) : 0;
        foreach (var file in files)
        {
            // Rotated files and the current file form one chain; lines are numbered per file in messages.
            lineNo = 0;
            var where = files.Count == 1 ? "line" : $"{Path.GetFileName(file)} line";
            var lines = File.ReadLines(file);
            foreach (var text in torn > 0 && file == current ? WithoutLast(lines) : lines)
            {
                lineNo++;
                if (text.Length == 0)
                {
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo}: empty line (a record was removed or the file was edited)");
                }

                var bytes = Encoding.UTF8.GetBytes(text);
                var marker = bytes.AsSpan().LastIndexOf(HashMarker);
                if (marker < 0)
                {
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo}: not a chained record (no hash)");
                }

                long seq;
                string recordPrev, recordHash;
                try
                {
                    using var doc = JsonDocument.Parse(bytes);
                    seq = doc.RootElement.GetProperty("seq").GetInt64();
                    recordPrev = doc.RootElement.GetProperty("prev").GetString() ?? "";
                    recordHash = doc.RootElement.GetProperty("hash").GetString() ?? "";
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo}: record altered (not valid JSON: {ex.Message})");
                }

                var actual = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, marker)));
                if (actual != recordHash)
                {
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo} (seq {seq}): record altered (its hash does not match its content)");
                }

                if (seq != expectedSeq)
                {
                    var what = seq > expectedSeq
                        ? expectedSeq == 1 && records == 0 ? $"record(s) 1..{seq - 1} missing (the oldest rotated file(s) were removed?)" : $"record(s) {expectedSeq}..{seq - 1} removed"
                        : "records reordered or duplicated";
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo} (seq {seq}): expected seq {expectedSeq}: {what}");
                }

                if (recordPrev != prev)
                {
                    return new VerifyResult(false, records, lineNo, $"{where} {lineNo} (seq {seq}): chain broken (previous record removed, replaced or reordered)");
                }

                prev = recordHash;
                if (seq == checkpointSeq)
                {
                    checkpointHash = recordHash;
                }

                expectedSeq++;
                records++;
            }
        }

        var lastSeq = expectedSeq - 1;
        var checkpointPath = CheckpointPath(path);
        var tornNote = torn == 0 ? "" : $"; the last line ({torn} bytes) was cut off by a crash while it was being written and is not a record (Vigil removes it when it starts)";
        if (!File.Exists(checkpointPath))
        {
            return new VerifyResult(true, records, null, $"{records} records{FilesNote(files)}, chain intact (last hash {prev[..16]}…); no checkpoint file, so a cut-off end cannot be detected{tornNote}");
        }

        if (ReadCheckpoint(checkpointPath) is not { } checkpoint)
        {
            return new VerifyResult(false, records, null, $"{checkpointPath}: checkpoint unreadable (altered or damaged)");
        }

        if (lastSeq < checkpoint.Seq)
        {
            return new VerifyResult(false, records, lineNo + 1,
                $"record(s) {lastSeq + 1}..{checkpoint.Seq} missing at the end (the checkpoint says the writer reached seq {checkpoint.Seq}; the file ends at seq {lastSeq})");
        }

        // Records after the checkpoint are normal (a crash between writing a batch and updating the checkpoint).
        if (checkpointHash is null || checkpointHash != checkpoint.Hash)
        {
            return new VerifyResult(false, records, null, $"record {checkpoint.Seq} does not match the checkpoint's hash (the log was replaced or rewritten)");
        }

        return new VerifyResult(true, records, null, $"{records} records{FilesNote(files)}, chain intact up to and past the checkpoint (seq {checkpoint.Seq}; last hash {prev[..16]}…){tornNote}");
    }

    private static IEnumerable<string> WithoutLast(IEnumerable<string> lines)
    {
        string? previous = null;
        foreach (var line in lines)
        {
            if (previous is not null)
            {
                yield return previous;
            }

            previous = line;
        }
    }

    /// <summary>The side file in which the writer records the last sequence number and hash it flushed.</summary>
    private static string FilesNote(IReadOnlyList<string> files) => files.Count == 1 ? "" : $" in {files.Count} files";

    /// <summary>
    /// The name a full log file gets when it is rotated: the log's path plus the seq of its last record, zero-padded so
    /// that name order is chain order.
    /// </summary>
    public static string RotatedPath(string logPath, long lastSeq) => logPath + "." + lastSeq.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The rotated files of a log, oldest first.</summary>
    public static IReadOnlyList<string> RotatedFiles(string logPath)
    {
        var full = Path.GetFullPath(logPath);
        var directory = Path.GetDirectoryName(full)!;
        var prefix = Path.GetFileName(full) + ".";
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return Directory.EnumerateFiles(directory, prefix + "*")
            .Where(f => Path.GetFileName(f) is { } name && name.Length == prefix.Length + 12 && name.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every file of the chain in order: the rotated files, then the current one.</summary>
    public static IReadOnlyList<string> ChainFiles(string logPath)
    {
        var files = new List<string>(RotatedFiles(logPath));
        if (File.Exists(logPath))
        {
            files.Add(Path.GetFullPath(logPath));
        }

        return files;
    }

    /// <summary>The last record of the whole chain (the current file, or the newest rotated file when it is empty).</summary>
    public static (long Seq, string Hash) ReadChainTail(string logPath)
    {
        var tail = ReadTail(logPath);
        if (tail.Seq > 0)
        {
            return tail;
        }

        var rotated = RotatedFiles(logPath);
        return rotated.Count == 0 ? tail : ReadTail(rotated[^1]);
    }

    public static string CheckpointPath(string logPath) => logPath + ".checkpoint";

    /// <summary>Replaces the checkpoint atomically (write a temporary file, then rename over the old one).</summary>
    /// <param name="logPath">The log the checkpoint belongs to.</param>
    /// <param name="seq">The last record's seq.</param>
    /// <param name="hash">The last record's hash.</param>
    /// <param name="flushToDisk">Also fsync the new checkpoint before it replaces the old one (<c>audit.durability: synced</c>).</param>
    public static void WriteCheckpoint(string logPath, long seq, string hash, bool flushToDisk = false)
    {
        var target = CheckpointPath(logPath);
        var temp = target + ".tmp";
        var options = Storage.PrivateFiles.Append(0);
        options.Mode = FileMode.Create;
        using (var file = new FileStream(temp, options))
        {
            file.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"hash\":\"{hash}\"}}\n")));
            if (flushToDisk)
            {
                file.Flush(flushToDisk: true);
            }
        }

        File.Move(temp, target, overwrite: true);
    }

    /// <summary>
    /// The length of the cut-off line a crash left at the end of <paramref name="path"/>: the bytes after its last
    /// newline (every record ends with one). 0 when the file ends with a newline, is empty or does not exist.
    /// </summary>
    public static long TornTailLength(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = RandomAccess.GetLength(handle);
        Span<byte> chunk = stackalloc byte[4096];
        for (var end = length; end > 0;)
        {
            var start = Math.Max(0, end - chunk.Length);
            var read = chunk[..(int)(end - start)];
            for (var filled = 0; filled < read.Length;)
            {
                var n = RandomAccess.Read(handle, read[filled..], start + filled);
                if (n == 0)
                {
                    return 0; // cut shorter meanwhile: by the writer itself, which is the one that repairs it
                }

                filled += n;
            }

            var newline = read.LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return length - (start + newline + 1);
            }

            end = start;
        }

        return length;
    }

    /// <summary>Reads a checkpoint; null when it is missing or malformed.</summary>
    public static (long Seq, string Hash)? ReadCheckpoint(string checkpointPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(checkpointPath));
            var seq = doc.RootElement.GetProperty("seq").GetInt64();
            var hash = doc.RootElement.GetProperty("hash").GetString();
            return seq >= 0 && hash is { Length: 64 } ? (seq, hash) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads the last record's seq and hash so a restarted writer continues the chain.</summary>
    public static (long Seq, string Hash) ReadTail(string path)
    {
        if (!File.Exists(path))
        {
            return (0, Genesis);
        }

        string? last = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length > 0)
            {
                last = line;
            }
        }

        if (last is null)
        {
            return (0, Genesis);
        }

        using var doc = JsonDocument.Parse(last);
        return (doc.RootElement.GetProperty("seq").GetInt64(), doc.RootElement.GetProperty("hash").GetString() ?? Genesis);
    }

    private static void Opt(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
