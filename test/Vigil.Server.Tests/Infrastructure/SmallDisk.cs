using System.Diagnostics;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>
/// A real, tiny file system (tmpfs of a few pages) that tests can fill up, so a full disk is an actual ENOSPC from
/// the kernel, not a simulated one. Needs root (the tests run as root, like the segmentation tests).
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    public static SmallDisk Mount(int kilobytes = 256)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vigil-disk-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        return new SmallDisk(path);
    }

    /// <summary>Writes a filler file until the file system reports that it is full, then gives back <paramref name="leaveBytes"/>.</summary>
    public void Fill(int leaveBytes = 0)
    {
        var chunk = new byte[1024];
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // full
        }

        if (leaveBytes > 0)
        {
            filler.SetLength(Math.Max(0, filler.Length - leaveBytes));
        }
    }

    /// <summary>Removes the filler: the file system has room again.</summary>
    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path, recursive: true);
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        }
    }
}
