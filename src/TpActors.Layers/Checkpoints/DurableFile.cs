using System.Runtime.InteropServices;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// Crash-safe file replacement: write under a temporary name, fsync, rename over the target, fsync the directory. A reader
/// sees the old file or the complete new one, never a torn one, even if the process or the machine dies midway.
/// </summary>
public static partial class DurableFile
{
    /// <summary>Writes <paramref name="path"/> atomically with <paramref name="write"/>, which gets the open temporary file.</summary>
    public static void Write(string path, Action<FileStream> write)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically (UTF-8).</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Flushes a directory's entries (renames, new files) to disk; a no-op where the platform has no such call.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try
        {
            Fsync(fd);
        }
        finally
        {
            Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
