using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace TpActors.Runtime.Transport;

/// <summary>
/// A one-way ring of bytes in a memory-mapped file under /dev/shm, between two processes of one machine (as NCCL's SHM
/// transport does): the sender copies a frame's payload in and tells the receiver where over its TCP connection, which
/// stays the doorbell and keeps the order; the receiver reads it in place or copies it out, and moves the ring's tail on. A payload never
/// wraps: one that does not fit before the end starts at the beginning, and the gap counts as consumed.
/// </summary>
/// <remarks>
/// Layout: a 64-byte header (the receiver's consumed-bytes counter at offset 8), then the data. Invariants: only the sender
/// moves <see cref="_written"/>, only the receiver the tail; written − tail never exceeds the capacity. The TCP send of the
/// header after the copy, and the receive before it, order the payload's bytes between the processes.
/// </remarks>
[DebuggerDisplay("shared-memory ring {Path}, {Capacity} bytes")]
public sealed unsafe class SharedMemoryRing : IDisposable
{
    private const int HeaderBytes = 64;
    private const int TailOffset = 8;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private long _written;   // the sender's total bytes placed (gaps included)
    private long _consumed;  // the receiver's total bytes taken (gaps included), lent or not

    // The receiver's payloads lent out and not yet given back, by their end positions in ring order, and those of them
    // released out of order, waiting for the older ones. Guarded by _lent.
    private readonly Queue<long> _lentQueue = new();
    private readonly HashSet<long> _released = new();
    private readonly object _lent = new();
    private bool _closing;   // disposed while payloads were lent: unmapped when the last comes back. Guarded by _lent.
    private bool _unmapped;  // Guarded by _lent.

    private SharedMemoryRing(string path, MemoryMappedFile file, long capacity)
    {
        Path = path;
        _file = file;
        Capacity = capacity;
        _view = file.CreateViewAccessor(0, HeaderBytes + capacity);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>The ring's file.</summary>
    public string Path { get; }

    /// <summary>Bytes of data it holds at most.</summary>
    public long Capacity { get; }

    /// <summary>
    /// The receiver's bytes borrowed and not yet released. The receiver lends a payload in place only while, with it, at
    /// most a quarter of the ring is lent, and copies it out (freeing its room at once) otherwise: lent bytes, a skipped
    /// end and the next payload then always fit, so two ranks that both send before they receive always make room for
    /// each other, where lending everything would let both wait on a full ring.
    /// </summary>
    public long Outstanding => _consumed - Tail;

    /// <summary>The largest payload the ring carries, and the most it lends at once: a quarter of it (see <see cref="Outstanding"/>).</summary>
    public long MaxPayload => Capacity / 4;

    /// <summary>Whether this machine has a shared-memory file system for rings.</summary>
    public static bool Available => Directory.Exists("/dev/shm");

    /// <summary>A new ring of <paramref name="capacity"/> bytes, for the sending side.</summary>
    public static SharedMemoryRing Create(long capacity)
    {
        string path = System.IO.Path.Combine("/dev/shm", $"tpactors-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.CreateNew, null, HeaderBytes + capacity, MemoryMappedFileAccess.ReadWrite);
        return new SharedMemoryRing(path, file, capacity);
    }

    /// <summary>The ring at <paramref name="path"/>, for the receiving side; the file's name is removed once both sides have it mapped.</summary>
    /// <exception cref="InvalidDataException">The path is not a TpActors ring, or its size does not match.</exception>
    public static SharedMemoryRing Open(string path, long capacity)
    {
        string name = System.IO.Path.GetFileName(path);
        if (System.IO.Path.GetDirectoryName(path) != "/dev/shm" || !name.StartsWith("tpactors-", StringComparison.Ordinal) || name.Contains(".."))
            throw new InvalidDataException($"'{path}' is not a TpActors shared-memory ring.");
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != HeaderBytes + capacity) throw new InvalidDataException($"The shared-memory ring '{path}' is missing or not {capacity} bytes.");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, HeaderBytes + capacity, MemoryMappedFileAccess.ReadWrite);
        var ring = new SharedMemoryRing(path, file, capacity);
        File.Delete(path); // both sides have it mapped: nothing is left behind in /dev/shm whatever happens next
        return ring;
    }

    /// <summary>
    /// Copies <paramref name="payload"/> into the ring (the sender's side) when it has room now, and gives the offset it
    /// starts at; false when it has not. The sender never waits for room: the receiving rank may itself be waiting to send
    /// to this one while holding payloads it was lent, so a full ring sends the payload over TCP instead (same order).
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> payload, out int offset)
    {
        Debug.Assert(payload.Length <= MaxPayload, "a payload larger than a quarter of the ring goes over TCP");
        long position = _written % Capacity;
        long gap = position + payload.Length > Capacity ? Capacity - position : 0;
        long end = _written + gap + payload.Length;
        offset = 0;
        if (end - Tail > Capacity) return false;
        offset = (int)((_written + gap) % Capacity);
        payload.CopyTo(new Span<byte>(_base + HeaderBytes + offset, payload.Length));
        _written = end;
        return true;
    }

    /// <summary>Copies the payload at <paramref name="offset"/> out of the ring into <paramref name="into"/> and frees its room (the receiver's side).</summary>
    /// <exception cref="InvalidDataException">The offset is not where the next payload can be.</exception>
    public void Read(int offset, Span<byte> into)
    {
        byte* at = Borrow(offset, into.Length, out long token);
        new ReadOnlySpan<byte>(at, into.Length).CopyTo(into);
        Release(token);
    }

    /// <summary>
    /// The payload of <paramref name="length"/> bytes at <paramref name="offset"/>, in place (the receiver's side): it stays
    /// valid, and its room taken, until <see cref="Release"/> of <paramref name="token"/>. Payloads are borrowed in ring order.
    /// </summary>
    /// <exception cref="InvalidDataException">The offset is not where the next payload can be.</exception>
    public byte* Borrow(int offset, int length, out long token)
    {
        long position = _consumed % Capacity;
        if (offset != position)
        {
            if (offset != 0 || position + length <= Capacity) throw new InvalidDataException($"A ring payload at offset {offset} when the next one starts at {position}.");
            _consumed += Capacity - position; // the sender skipped the end of the ring
        }
        if (offset + (long)length > Capacity) throw new InvalidDataException($"A ring payload of {length} bytes at offset {offset} runs past the ring's {Capacity} bytes.");
        _consumed += length;
        token = _consumed;
        lock (_lent) _lentQueue.Enqueue(token);
        return _base + HeaderBytes + offset;
    }

    /// <summary>Gives back a borrowed payload (any thread, any order); the ring's room is freed up to the oldest one still out.</summary>
    public void Release(long token)
    {
        lock (_lent)
        {
            if (_unmapped) return;
            _released.Add(token);
            long tail = -1;
            while (_lentQueue.TryPeek(out long end) && _released.Remove(end))
            {
                _lentQueue.Dequeue();
                tail = end;
            }
            if (tail >= 0) Volatile.Write(ref *(long*)(_base + TailOffset), tail); // after the reads: the sender may now overwrite the room
            if (_closing && _lentQueue.Count == 0) Unmap();
        }
    }

    private long Tail => Volatile.Read(ref *(long*)(_base + TailOffset));

    /// <summary>Unmaps the ring, once every borrowed payload is back (a lent view must never point at unmapped memory).</summary>
    public void Dispose()
    {
        lock (_lent)
        {
            _closing = true;
            if (_lentQueue.Count == 0) Unmap();
        }
    }

    private void Unmap()
    {
        if (_unmapped) return;
        _unmapped = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        try
        {
            File.Delete(Path); // the receiver never opened it
        }
        catch (IOException)
        {
        }
    }
}
