using System.Buffers.Binary;

namespace TpActors.Runtime.Transport;

/// <summary>What a connection to a bulk lane is for.</summary>
public enum BulkChannel : byte
{
    /// <summary>Collective frames for one rank instance's inbox.</summary>
    Collective = 1,

    /// <summary>Blobs for the process's blob store.</summary>
    Blob = 2,
}

/// <summary>
/// The first bytes a connection sends to a bulk lane: the lane's magic and version, what the connection is for, the target
/// (a rank instance, for <see cref="BulkChannel.Collective"/>); the proof of the cluster's secret follows it (<see cref="BulkHandshake"/>).
/// </summary>
/// <param name="Channel">What the connection carries.</param>
/// <param name="Target">The rank instance whose inbox the frames go to (0 for blobs).</param>
public readonly record struct BulkHello(BulkChannel Channel, long Target)
{
    private const uint Magic = 0x31425054; // "TPB1", little-endian

    /// <summary>Bytes of the hello.</summary>
    public const int Size = 16;

    /// <summary>Writes the hello into <paramref name="into"/>.</summary>
    public void Write(Span<byte> into)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(into, Magic);
        into[4] = 2; // version: 2 answers a challenge (BulkHandshake)
        into[5] = (byte)Channel;
        BinaryPrimitives.WriteUInt16LittleEndian(into[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(into[8..], Target);
    }

    /// <summary>Reads a hello.</summary>
    /// <exception cref="InvalidDataException">The peer is not a bulk-lane client of this version.</exception>
    public static BulkHello Read(ReadOnlySpan<byte> from)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(from) != Magic) throw new InvalidDataException("The peer did not greet as a TpActors bulk-lane client.");
        if (from[4] != 2) throw new InvalidDataException($"The peer speaks bulk-lane version {from[4]}; this process speaks version 2.");
        var channel = (BulkChannel)from[5];
        if (channel is not (BulkChannel.Collective or BulkChannel.Blob)) throw new InvalidDataException($"The peer asked for unknown bulk channel {from[5]}.");
        return new BulkHello(channel, BinaryPrimitives.ReadInt64LittleEndian(from[8..]));
    }
}
