namespace Vigil.Server.Storage;

/// <summary>
/// Vigil's data is for the account that runs it: the SQLite store holds password hashes, TOTP secrets and tokens, the
/// decision log who did what from where. Folders Vigil creates are 0700 and such files 0600; an existing store file
/// readable by others is tightened to 0600 at start-up (SQLite gives its -wal and -shm files the database's mode).
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder (0700) unless it exists; an existing folder keeps the mode its owner gave it.</summary>
    public static void CreateFolder(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>Creates an empty private file if missing, or takes group and other permissions off an existing one.</summary>
    public static void Prepare(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            CreateFolder(folder);
        }

        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
            }
            catch (IOException) when (File.Exists(path))
            {
                // created meanwhile by another process (another node or CLI starting at the same moment)
            }
        }

        Tighten(path);
    }

    /// <summary>Takes group and other permissions off an existing file.</summary>
    public static void Tighten(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(FileMode | UnixFileMode.UserExecute)) != 0)
        {
            File.SetUnixFileMode(path, mode & (FileMode | UnixFileMode.UserExecute));
        }
    }

    /// <summary>Options for a file Vigil appends to or creates that must stay private.</summary>
    public static FileStreamOptions Append(int bufferSize) => OperatingSystem.IsWindows()
        ? new FileStreamOptions { Mode = System.IO.FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = bufferSize }
        : new FileStreamOptions { Mode = System.IO.FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = bufferSize, UnixCreateMode = FileMode };
}
