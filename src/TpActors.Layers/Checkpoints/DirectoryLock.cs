using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// An exclusive OS lock on a directory: <c>flock(LOCK_EX | LOCK_NB)</c> on its <c>.lock</c> file, which holds the owner's
/// process id. The kernel releases the lock when the process ends in any way (kill -9 included), so a stale lock cannot
/// outlive its owner; the file left behind is harmless. Opening the file for writing also proves the directory writable.
/// </summary>
public sealed partial class DirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the locked directory.</summary>
    public const string FileName = ".lock";

    private int _fd;                  // the open, flocked lock file; -1 once released or where the lock is a FileStream
    private readonly FileStream? _stream; // the lock where there is no flock (FileShare.None)

    private DirectoryLock(int fd, FileStream? stream = null)
    {
        _fd = fd;
        _stream = stream;
    }

    /// <summary>Takes the lock on <paramref name="directory"/> (which must exist), or throws without waiting.</summary>
    /// <param name="directory">The directory to lock.</param>
    /// <param name="what">What the directory is, for messages ("checkpoint directory").</param>
    /// <exception cref="IOException">Another process holds the lock (the message names its id), or the lock file cannot be written.</exception>
    public static DirectoryLock Acquire(string directory, string what)
    {
        string path = Path.Combine(directory, FileName);
        if (!OperatingSystem.IsLinux()) return AcquireManaged(path, directory, what);
        int fd = Open(path, OpenReadWrite | OpenCreate | OpenCloseOnExec, 0x1a4 /* 0644 */);
        if (fd < 0) throw new IOException($"Cannot write to {what} {directory}: {Marshal.GetLastPInvokeErrorMessage()}.");
        if (Flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string owner = ReadOwner(fd);
            Close(fd);
            throw errno == EWouldBlock
                ? new IOException($"{Capitalized(what)} {directory} is in use by process {owner}; wait for it to finish, or choose another directory.")
                : new IOException($"Cannot lock {what} {directory}: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
        byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        if (Ftruncate(fd, 0) != 0 || Pwrite(fd, pid, pid.Length, 0) != pid.Length)
        {
            string reason = Marshal.GetLastPInvokeErrorMessage();
            Close(fd);
            throw new IOException($"Cannot write to {what} {directory}: {reason}.");
        }
        return new DirectoryLock(fd);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Close(fd); // closing the last descriptor releases the flock
        _stream?.Dispose();
    }

    private static string ReadOwner(int fd)
    {
        var buffer = new byte[32];
        long read = Pread(fd, buffer, buffer.Length, 0);
        string text = read > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)read).Trim() : "";
        return text.Length > 0 && text.All(char.IsAsciiDigit) ? text : "(unknown)";
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    // Where there is no flock: FileShare.None, which the OS also drops when the process dies.
    private static DirectoryLock AcquireManaged(string path, string directory, string what)
    {
        try
        {
            return new DirectoryLock(-1, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new IOException($"{Capitalized(what)} {directory} is in use by another process, or cannot be written: {e.Message}", e);
        }
    }

    // Linux's values (asm-generic): O_RDWR, O_CREAT, O_CLOEXEC, LOCK_EX, LOCK_NB, EWOULDBLOCK.
    private const int OpenReadWrite = 2, OpenCreate = 0x40, OpenCloseOnExec = 0x80000, LockExclusive = 2, LockNonBlocking = 4, EWouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial long Pwrite(int fd, byte[] buffer, long count, long offset);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial long Pread(int fd, byte[] buffer, long count, long offset);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
