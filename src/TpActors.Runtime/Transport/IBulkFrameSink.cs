namespace TpActors.Runtime.Transport;

/// <summary>
/// Where one incoming bulk connection's frames go. The connection's reader thread calls <see cref="Begin"/> for a frame's
/// header, reads the payload straight into the span it returns, then calls <see cref="End"/>; frames come one at a time,
/// in the order they were sent.
/// </summary>
/// <remarks>
/// A sink that refuses a frame (a count it cannot take) throws <see cref="InvalidDataException"/>: the connection is closed
/// and nothing more is read from it. <see cref="Closed"/> is called once, when the connection ends for any reason.
/// </remarks>
public interface IBulkFrameSink
{
    /// <summary>The memory the frame's <see cref="BulkFrameHeader.PayloadBytes"/> bytes go to; <paramref name="group"/> is only valid during the call.</summary>
    Span<byte> Begin(in BulkFrameHeader header, ReadOnlySpan<byte> group);

    /// <summary>The payload has been read into the span <see cref="Begin"/> returned.</summary>
    void End(in BulkFrameHeader header);

    /// <summary>
    /// The connection has ended: a frame begun and not ended is abandoned. <paramref name="broken"/>: it ended without the
    /// sender's goodbye (<see cref="BulkFrameKind.Goodbye"/>) while this lane was open, as when the sender's process dies
    /// (its kernel closes or resets its sockets at once), or the lane closed it for a frame it refused.
    /// </summary>
    void Closed(bool broken);

    /// <summary>
    /// Takes a chunk whose floats lie in a shared-memory <paramref name="ring"/> at <paramref name="data"/> in place, to
    /// release with <see cref="SharedMemoryRing.Release"/>(<paramref name="token"/>) once read; false to have them copied
    /// into <see cref="Begin"/>'s span instead.
    /// </summary>
    bool TryLend(in BulkFrameHeader header, ReadOnlySpan<byte> group, SharedMemoryRing ring, nint data, long token) => false;
}
