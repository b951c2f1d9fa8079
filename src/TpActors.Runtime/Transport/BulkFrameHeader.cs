using System.Buffers.Binary;
using System.Diagnostics;

namespace TpActors.Runtime.Transport;

/// <summary>What a bulk-lane frame carries.</summary>
public enum BulkFrameKind : byte
{
    /// <summary>A collective chunk: <see cref="BulkFrameHeader.Count"/> raw little-endian floats follow.</summary>
    Chunk = 1,

    /// <summary>A stall report of a collective round; nothing follows.</summary>
    Stalled = 2,

    /// <summary>An abort of every round of a group; <see cref="BulkFrameHeader.Count"/> bytes of UTF-8 reason follow.</summary>
    Abort = 3,

    /// <summary>
    /// A blob attached to a control message; <see cref="BulkFrameHeader.Count"/> bytes follow. A blob sent in parts has one
    /// frame per part: <see cref="BulkFrameHeader.Index"/> is the part, <see cref="BulkFrameHeader.Extra"/> how many there are.
    /// </summary>
    Blob = 4,

    /// <summary>A collective chunk whose <see cref="BulkFrameHeader.Count"/> floats are in the connection's shared-memory ring, at offset <see cref="BulkFrameHeader.Extra"/>; nothing follows.</summary>
    RingChunk = 5,

    /// <summary>The connection's shared-memory ring: <see cref="BulkFrameHeader.Count"/> bytes of its path follow; <see cref="BulkFrameHeader.Sequence"/> is its capacity.</summary>
    RingAttach = 6,

    /// <summary>The sender closes the connection on purpose; nothing follows. A connection that ends without one has broken (its process most likely died).</summary>
    Goodbye = 7,

    /// <summary>A <see cref="Blob"/> frame whose <see cref="BulkFrameHeader.Count"/> bytes are in the connection's shared-memory ring, at offset <see cref="BulkFrameHeader.Operation"/>; nothing follows.</summary>
    RingBlob = 8,
}

/// <summary>
/// The fixed little-endian header of every bulk-lane frame: kind, group name length, payload count, the round's sequence
/// number (a blob's ticket), its operation, step, chunk index, sender rank and one extra field (a stall report's awaited
/// rank). The group name's UTF-8 bytes follow the header, then the payload.
/// </summary>
/// <param name="Kind">What the frame carries.</param>
/// <param name="GroupLength">Bytes of the group name that follow the header.</param>
/// <param name="Count">Payload size: floats for a chunk, bytes for an abort's reason or a blob.</param>
/// <param name="Sequence">The round's sequence number, or a blob's ticket.</param>
/// <param name="Operation">The round's operation.</param>
/// <param name="Step">The ring step.</param>
/// <param name="Index">The chunk index.</param>
/// <param name="From">The sending rank (a stall report's reporter).</param>
/// <param name="Extra">A stall report's awaited rank; 0 otherwise.</param>
public readonly record struct BulkFrameHeader(BulkFrameKind Kind, int GroupLength, int Count, long Sequence, int Operation, int Step, int Index, int From, int Extra)
{
    /// <summary>Bytes of the header on the wire.</summary>
    public const int Size = 40;

    /// <summary>The longest group name a frame carries, in UTF-8 bytes.</summary>
    public const int MaxGroupLength = 1024;

    /// <summary>Bytes of payload that follow the group name.</summary>
    public long PayloadBytes => Kind switch
    {
        BulkFrameKind.Chunk => (long)Count * sizeof(float),
        BulkFrameKind.RingChunk or BulkFrameKind.RingBlob or BulkFrameKind.Stalled or BulkFrameKind.Goodbye => 0,
        _ => Count,
    };

    /// <summary>This chunk or blob frame with its payload placed in the connection's shared-memory ring at <paramref name="offset"/>.</summary>
    public BulkFrameHeader InRing(int offset) => Kind switch
    {
        BulkFrameKind.Chunk => this with { Kind = BulkFrameKind.RingChunk, Extra = offset },
        BulkFrameKind.Blob => this with { Kind = BulkFrameKind.RingBlob, Operation = offset },
        _ => throw new InvalidOperationException($"A {Kind} frame has no payload to place in a ring."),
    };

    /// <summary>The chunk or blob frame a ring frame stands for, and where in the ring its payload lies.</summary>
    public BulkFrameHeader OutOfRing(out int offset)
    {
        (var frame, offset) = Kind switch
        {
            BulkFrameKind.RingChunk => (this with { Kind = BulkFrameKind.Chunk, Extra = 0 }, Extra),
            BulkFrameKind.RingBlob => (this with { Kind = BulkFrameKind.Blob, Operation = 0 }, Operation),
            _ => throw new InvalidOperationException($"A {Kind} frame's payload is not in a ring."),
        };
        return frame;
    }

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="into"/>.</summary>
    public void Write(Span<byte> into)
    {
        Debug.Assert(into.Length >= Size, "a header needs its whole size");
        into[0] = (byte)Kind;
        into[1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(into[2..], checked((ushort)GroupLength));
        BinaryPrimitives.WriteInt32LittleEndian(into[4..], Count);
        BinaryPrimitives.WriteInt64LittleEndian(into[8..], Sequence);
        BinaryPrimitives.WriteInt32LittleEndian(into[16..], Operation);
        BinaryPrimitives.WriteInt32LittleEndian(into[20..], Step);
        BinaryPrimitives.WriteInt32LittleEndian(into[24..], Index);
        BinaryPrimitives.WriteInt32LittleEndian(into[28..], From);
        BinaryPrimitives.WriteInt32LittleEndian(into[32..], Extra);
        BinaryPrimitives.WriteInt32LittleEndian(into[36..], 0);
    }

    /// <summary>Reads a header; a frame whose kind, group length or count is out of range is refused.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a bulk-lane header.</exception>
    public static BulkFrameHeader Read(ReadOnlySpan<byte> from)
    {
        var kind = (BulkFrameKind)from[0];
        if (kind is < BulkFrameKind.Chunk or > BulkFrameKind.RingBlob) throw new InvalidDataException($"Bulk frame of unknown kind {from[0]}.");
        int groupLength = BinaryPrimitives.ReadUInt16LittleEndian(from[2..]);
        if (groupLength > MaxGroupLength) throw new InvalidDataException($"Bulk frame with a {groupLength}-byte group name; at most {MaxGroupLength} are allowed.");
        int count = BinaryPrimitives.ReadInt32LittleEndian(from[4..]);
        if (count < 0) throw new InvalidDataException($"Bulk frame with a negative payload count {count}.");
        return new BulkFrameHeader(kind, groupLength, count,
            BinaryPrimitives.ReadInt64LittleEndian(from[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[20..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[28..]),
            BinaryPrimitives.ReadInt32LittleEndian(from[32..]));
    }
}
