using System.Text;

namespace Vigil.Server.Audit;

/// <summary>
/// Reads a decision log as it grows, the way <c>tail -F</c> does: complete lines only (a batch may reach the disk
/// in pieces), and across rotations — when the file being read is renamed to a rotated file, the rest of it, any file
/// rotated after it and then the new current file are read in chain order.
/// </summary>
public sealed class AuditLogTail : IDisposable
{
    private readonly string _path;
    private readonly StringBuilder _partial = new();
    private readonly char[] _buffer = new char[64 * 1024];
    private StreamReader? _reader;
    private int _rotatedCount;

    /// <summary>Starts reading <paramref name="path"/> from its beginning (call <see cref="ReadAvailable"/> for what is there).</summary>
    public AuditLogTail(string path)
    {
        _path = Path.GetFullPath(path);
        _rotatedCount = AuditChain.RotatedFiles(_path).Count;
        _reader = TryOpen(_path);
    }

    /// <summary>The complete lines written since the last call.</summary>
    public IReadOnlyList<string> ReadAvailable()
    {
        var lines = new List<string>();
        _reader ??= TryOpen(_path);
        if (_reader is null)
        {
            return lines;
        }

        Drain(_reader, lines);
        var rotated = AuditChain.RotatedFiles(_path);
        if (rotated.Count > _rotatedCount && File.Exists(_path))
        {
            // The file being read was rotated. The writer closed it before renaming it, so it is complete now: read the
            // rest, then the files rotated after it, then the new current file from its start.
            Drain(_reader, lines);
            _partial.Clear();
            foreach (var file in rotated.Skip(_rotatedCount + 1))
            {
                lines.AddRange(File.ReadLines(file).Where(l => l.Length > 0));
            }

            _reader.Dispose();
            _reader = TryOpen(_path);
            _rotatedCount = rotated.Count;
            if (_reader is not null)
            {
                Drain(_reader, lines);
            }
        }

        return lines;
    }

    private void Drain(StreamReader reader, List<string> lines)
    {
        int read;
        while ((read = reader.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (_buffer[i] != '\n')
                {
                    continue;
                }

                _partial.Append(_buffer, start, i - start);
                if (_partial.Length > 0)
                {
                    lines.Add(_partial.ToString());
                }

                _partial.Clear();
                start = i + 1;
            }

            _partial.Append(_buffer, start, read - start);
        }
    }

    private static StreamReader? TryOpen(string path)
    {
        try
        {
            return new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8);
        }
        catch (FileNotFoundException)
        {
            return null; // between a rotation's rename and the new file's creation
        }
    }

    public void Dispose() => _reader?.Dispose();
}
